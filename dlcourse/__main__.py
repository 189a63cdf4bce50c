"""`python -m dlcourse …` runs the `dlcourse` command."""

import sys

from dlcourse.cli import main

sys.exit(main())
