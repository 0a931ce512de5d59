"""The migrations build exactly the models' schema, and can be undone and redone."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from shared.database_url import normalize_database_url
from shared.migrations.runner import current_revision, downgrade_base, upgrade_head
from shared.models import Base
from tests.conftest import recreate_database

SEED_TABLES = {
    "users",
    "categories",
    "scenarios",
    "tools",
    "tool_scenarios",
    "skills",
    "agent_workflows",
    "agent_executions",
    "agent_memories",
    "user_interactions",
    "workflow_stars",
}


def test_upgrade_downgrade_upgrade_round_trip():
    engine = create_engine(normalize_database_url(recreate_database("ainav_migrations")))
    try:
        with engine.begin() as connection:
            upgrade_head(connection)
            assert set(inspect(connection).get_table_names()) >= SEED_TABLES
            head = current_revision(connection)
            assert head is not None

        with engine.begin() as connection:
            downgrade_base(connection)
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
            assert current_revision(connection) is None
            assert connection.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'vector'")) == 0

        with engine.begin() as connection:
            upgrade_head(connection)
            assert current_revision(connection) == head
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []
