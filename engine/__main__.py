"""``python -m engine``: the command line without the terminal app."""

import sys

from engine.cli.main import main

sys.exit(main())
