"""``python -m mnist_explorer``: the same as the ``mnist-explorer`` console script."""

import sys

from mnist_explorer.cli import main

sys.exit(main())
