"""Database connections: create (every host through the SSRF guard, the password Fernet-encrypted, the
analysis queued), list the caller's own and shared ones, change, delete, and test a connection."""

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shared import crypto
from shared.api.pagination import PageParams, paginate
from shared.config import settings
from shared.connections import analysis, targets
from shared.connections.models import BUSY_STATUSES, ConnectionShare, DatabaseConnection
from shared.connections.sharing import Access
from shared.connections.targets import TargetError, TargetRefused
from shared.errors import ConflictError, InvalidInputError, QuotaExceededError
from shared.users.models import User

logger = Logger(child=True)

# Fields that say which database is reached and how: changing one means analysing again.
TARGET_FIELDS = ("host", "port", "database", "username", "password", "ssl_mode")
TEST_STATEMENT_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class ConnectionCheck:
    success: bool
    message: str
    server_version: str | None = None


def check_target(host: str, port: int, database: str) -> None:
    """422 for a host the SSRF guard refuses (or cannot resolve), or the platform's own database."""
    try:
        destination = targets.check_destination(host, port)
        targets.refuse_the_platform_database(destination, database)
    except TargetRefused as exc:
        raise InvalidInputError(f"This host cannot be used: {exc}") from None


def create(session: Session, *, user: User, fields: dict[str, Any]) -> DatabaseConnection:
    owned = session.scalar(select(func.count()).where(DatabaseConnection.user_id == user.id)) or 0
    if owned >= settings.MAX_CONNECTIONS_PER_USER:
        raise QuotaExceededError(
            f"You have {owned} database connections, the limit is {settings.MAX_CONNECTIONS_PER_USER}; "
            "delete one first"
        )
    check_target(fields["host"], fields["port"], fields["database"])
    password = fields.pop("password", None)
    connection = DatabaseConnection(
        user_id=user.id, encrypted_password=crypto.encrypt(password) if password else None, **fields
    )
    session.add(connection)
    session.flush()
    logger.info("connection created", extra={"connection_id": str(connection.id)})  # never its password
    analysis.queue(session, connection, raise_if_not_queued=False)
    return connection


def list_visible(
    session: Session, *, user: User, page: PageParams
) -> tuple[list[tuple[DatabaseConnection, str]], int]:
    """The caller's connections and those shared with them, newest first, each with their permission."""
    query = (
        select(DatabaseConnection)
        .outerjoin(
            ConnectionShare,
            (ConnectionShare.connection_id == DatabaseConnection.id) & (ConnectionShare.user_id == user.id),
        )
        .where(or_(DatabaseConnection.user_id == user.id, ConnectionShare.id.is_not(None)))
        .order_by(DatabaseConnection.created_at.desc(), DatabaseConnection.id)
    )
    items, total = paginate(session, query, page)
    shared = dict(
        session.execute(
            select(ConnectionShare.connection_id, ConnectionShare.permission).where(
                ConnectionShare.user_id == user.id,
                ConnectionShare.connection_id.in_([item.id for item in items]),
            )
        ).all()
    )
    return [(item, "owner" if item.user_id == user.id else shared[item.id]) for item in items], total


def update(session: Session, access: Access, changes: dict[str, Any]) -> DatabaseConnection:
    """Change a connection; a change of where or how it signs in is checked like a new one and analysed
    again (409 while an analysis runs)."""
    connection = access.connection
    retarget = any(name in changes for name in TARGET_FIELDS)
    if retarget and connection.status in BUSY_STATUSES:
        raise ConflictError(
            f"An analysis is {connection.status}; change where the connection goes after it ends"
        )
    if retarget:
        check_target(
            changes.get("host", connection.host),
            changes.get("port", connection.port),
            changes.get("database", connection.database),
        )
    if "password" in changes:
        password = changes.pop("password")
        connection.encrypted_password = crypto.encrypt(password) if password else None
    for name, value in changes.items():
        setattr(connection, name, value)
    session.commit()
    if retarget:
        analysis.queue(session, connection)
    return connection


def delete(session: Session, connection: DatabaseConnection) -> None:
    """The connection and everything learnt from it: shares, insights, sessions, examples."""
    session.delete(connection)
    session.commit()


def try_connection(session: Session, connection: DatabaseConnection) -> ConnectionCheck:
    """Sign in to the database and read its version. Unreachable, refused, a bad password: `success:
    false` with the reason, never an error status."""
    try:
        target = targets.target_of(connection)
        with target.read_only(statement_timeout_ms=TEST_STATEMENT_TIMEOUT_MS) as reader:
            version = reader.server_version or None
    except TargetError as exc:
        return ConnectionCheck(False, str(exc))
    connection.server_version = version
    session.commit()
    return ConnectionCheck(True, f"Connected to {connection.database} as {connection.username}", version)
