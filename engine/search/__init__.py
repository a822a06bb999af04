"""Grid searches: an estimator registry, grids, the shared-neighbour KNN search, the search job and backends."""
