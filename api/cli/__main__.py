"""`python -m api.cli` runs the `sandbox` command."""

import sys

from api.cli.main import main

sys.exit(main())
