"""`python -m spotcheck ...` runs the `spotcheck` command."""

import sys

from spotcheck.cli import main

sys.exit(main())
