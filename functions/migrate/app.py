"""MigrateFunction: invoked after each deploy; `alembic upgrade head` under a PostgreSQL advisory lock."""

from aws_lambda_powertools import Logger

from shared.migrations.runner import upgrade_head_locked

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict[str, str | None]:
    return {"revision": upgrade_head_locked()}
