"""`python -m infra.seed`: load (or refresh) the catalog seed into DATABASE_URL."""

import sys

from infra.seed.loader import load_catalog
from shared.db import session_scope


def main() -> int:
    print("[seed] loading the catalog (embedding every tool) ...", flush=True)
    with session_scope() as session:
        counts = load_catalog(session)
    print("[seed] " + ", ".join(f"{n} {what}" for what, n in counts.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
