"""`python -m spotcheck ...` runs the `spotcheck` command."""

import sys

from mockserver.cli import main

sys.exit(main())
