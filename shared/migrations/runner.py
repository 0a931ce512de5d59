"""Run Alembic from code (no alembic.ini needed), for the MigrateFunction, `make dev` and tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).parent
# Dated file names: 2026_11_22_0001-<rev>_<slug>.py
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations; with a connection, migrations run on it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("timezone", "UTC")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_head(connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(connection), "head")


def downgrade_base(connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(connection), "base")


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


MIGRATION_LOCK_KEY = 4_211_877_101  # any constant; every deployer takes the same lock


def upgrade_head_locked() -> str | None:
    """Upgrade DATABASE_URL to head while holding an advisory lock, so concurrent deploys take turns;
    a second run finds nothing to do. Returns the revision now applied."""
    from sqlalchemy import func as sql_func
    from sqlalchemy import select

    from shared.db import get_engine

    with get_engine().begin() as connection:
        connection.execute(select(sql_func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        upgrade_head(connection)
        revision = current_revision(connection)
    return revision
