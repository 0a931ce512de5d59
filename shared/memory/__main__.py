"""`python -m shared.memory reindex`: re-embed memories made by another model, with progress."""

import argparse
import sys

from shared.db import session_scope
from shared.embedding.service import embedding_service
from shared.memory import service as memory_service


def print_progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} memories", end="", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.memory")
    sub = parser.add_subparsers(dest="command", required=True)
    reindex = sub.add_parser("reindex", help="re-embed memories of another embedding model")
    reindex.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    print(f"re-embedding with {embedding_service.model_name} ...")
    with session_scope() as session:
        done = memory_service.reindex(session=session, batch_size=args.batch_size, progress=print_progress)
    print(f"\n{done} memories re-embedded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
