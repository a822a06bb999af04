"""mnist-explorer's terminal app (Textual). Draws what the engine computes; never trains a model itself."""
