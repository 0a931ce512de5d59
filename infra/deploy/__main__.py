"""`python -m infra.deploy deploy|destroy|checklist [options]`; `--help` lists the options."""

import sys

from infra.deploy.cli import main

sys.exit(main())
