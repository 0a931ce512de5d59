"""`python -m shared.users create-superuser --email ... --username ... [--password-stdin] [--promote]`."""

import sys

from shared.users.cli import main

if __name__ == "__main__":
    sys.exit(main())
