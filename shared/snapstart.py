"""Lambda SnapStart: what a function does before Lambda snapshots it and after a copy is restored.

With `SnapStart: ApplyOn: PublishedVersions` (template.yaml) Lambda runs a function's init once per
published version, snapshots the initialised process and starts every new execution environment from
a copy of it, so a cold start pays a restore instead of the imports. Whatever the copies must not share
is undone here:

- before the snapshot: what the code defers to its first use, so that a cold start without SnapStart
  stays short (PyJWT, Jinja2, the mappers' configuration), is done now, and `warm` runs (what a first
  request would otherwise load, e.g. the embedding model); then the database connections are closed:
  a snapshot of an open socket is a connection that no longer exists once restored;
- after a restore: the pool forgets any connection without touching its socket, the boto3 clients are
  made again (they hold the credentials and connections of the environment that was snapshotted), and
  `random` is re-seeded, or every copy would draw the same retry jitter.

`snapshot_restore_py` is part of Lambda's managed Python runtimes; elsewhere (tests, `make dev`)
`register` does nothing."""

import random
from collections.abc import Callable
from typing import Any

Warm = Callable[[], Any]


def register(warm: Warm | None = None) -> bool:
    """Register the hooks; False outside Lambda's runtime (no `snapshot_restore_py`)."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot, warm)
    register_after_restore(after_restore)
    return True


def before_snapshot(warm: Warm | None = None) -> None:
    load_deferred()
    if warm is not None:
        warm()
    dispose_database_connections(close=True)


def load_deferred() -> None:
    """Into the snapshot: the imports the code makes on first use (PyJWT with cryptography when a
    token is signed or read, Jinja2 when a template or a mail is rendered) and the configuration of
    the mappers the function imported, which SQLAlchemy otherwise does on the first query."""
    import jwt  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    import shared.templating  # noqa: F401  (the workflow sandbox, and Jinja2 with it)

    configure_mappers()


def after_restore() -> None:
    dispose_database_connections(close=False)
    from shared import aws

    aws.client.cache_clear()
    random.seed()


def load_embedding_model() -> None:
    """The `warm` of functions whose requests embed text: the model is in the snapshot, loaded."""
    from shared.embedding.service import embedding_service

    embedding_service.initialize()


def dispose_database_connections(*, close: bool) -> None:
    """Empty the pool of the process's engine, if one was made. `close=False` drops the connections
    without a goodbye on their sockets (after a restore there is no server at the other end)."""
    from shared.db import get_engine

    if get_engine.cache_info().currsize:
        get_engine().dispose(close=close)
