"""Allow `python -m omov` as well as the `omov` command."""

import sys

from omov.cli.main import main

sys.exit(main())
