"""`python -m vcverifier` runs the CLI."""

from __future__ import annotations

import sys

from vcverifier.cli import main

sys.exit(main())
