"""Who may do what with a connection. Its owner may do everything; another user holds a share:
`chat` asks questions and reads their own sessions, `view` also reads the insights, the statistics, the
schema search, the examples and the sessions others made public, `owner` also edits, re-analyses,
manages the examples and re-shares. Only the owner deletes. Everyone else gets a 404."""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.connections.models import ConnectionShare, DatabaseConnection
from shared.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from shared.users.models import User

LEVELS = {"chat": 1, "view": 2, "owner": 3}


@dataclass(frozen=True)
class Access:
    """A caller's access to a connection: `permission` is `owner` for the owner and owner shares."""

    connection: DatabaseConnection
    user: User
    permission: str
    is_owner: bool

    def allows(self, needed: str) -> bool:
        return LEVELS[self.permission] >= LEVELS[needed]


def access_to(session: Session, connection_id: uuid.UUID, user: User) -> Access:
    """The caller's access; 404 when they have none (someone else's connection, or none at all)."""
    connection = session.get(DatabaseConnection, connection_id)
    if connection is None:
        raise NotFoundError("Connection not found")
    if connection.user_id == user.id:
        return Access(connection, user, "owner", is_owner=True)
    permission = session.scalar(
        select(ConnectionShare.permission).where(
            ConnectionShare.connection_id == connection_id, ConnectionShare.user_id == user.id
        )
    )
    if permission is None:
        raise NotFoundError("Connection not found")
    return Access(connection, user, permission, is_owner=False)


def require(access: Access, needed: str, doing: str) -> Access:
    """403 when the caller sees the connection but their share does not allow `doing`."""
    if not access.allows(needed):
        raise PermissionDeniedError(f"A {access.permission} share of this connection does not allow {doing}")
    return access


def require_owner(access: Access, doing: str) -> Access:
    if not access.is_owner:
        raise PermissionDeniedError(f"Only the connection's owner may {doing}")
    return access


def list_shares(session: Session, connection: DatabaseConnection) -> list[tuple[ConnectionShare, User]]:
    return [
        (share, user)
        for share, user in session.execute(
            select(ConnectionShare, User)
            .join(User, User.id == ConnectionShare.user_id)
            .where(ConnectionShare.connection_id == connection.id)
            .order_by(ConnectionShare.created_at, ConnectionShare.id)
        ).all()
    ]


def find_user(
    session: Session, *, user_id: uuid.UUID | None, email: str | None, username: str | None
) -> User | None:
    if user_id is not None:
        return session.get(User, user_id)
    if email is not None:
        return session.scalar(select(User).where(User.email == email.strip().lower()))
    assert username is not None
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def share(
    session: Session,
    access: Access,
    *,
    permission: str,
    user_id: uuid.UUID | None = None,
    email: str | None = None,
    username: str | None = None,
) -> tuple[ConnectionShare, User, bool]:
    """Give (or change) a user's share; True when it is new. 422 for an unknown user, yourself or the
    owner."""
    user = find_user(session, user_id=user_id, email=email, username=username)
    if user is None or not user.is_active:
        raise InvalidInputError("There is no such user to share with")
    if user.id == access.user.id:
        raise InvalidInputError("You cannot share a connection with yourself")
    if user.id == access.connection.user_id:
        raise InvalidInputError("The connection's owner may do everything already")
    existing = session.scalar(
        select(ConnectionShare).where(
            ConnectionShare.connection_id == access.connection.id, ConnectionShare.user_id == user.id
        )
    )
    created = existing is None
    if existing is None:
        existing = ConnectionShare(
            connection_id=access.connection.id, user_id=user.id, created_by=access.user.id
        )
        session.add(existing)
    existing.permission = permission
    session.commit()
    return existing, user, created


def unshare(session: Session, access: Access, user_id: uuid.UUID) -> None:
    """End a share: an owner-level caller ends anyone's, anyone may end their own (leave)."""
    if user_id != access.user.id:
        require(access, "owner", "managing its shares")
    existing = session.scalar(
        select(ConnectionShare).where(
            ConnectionShare.connection_id == access.connection.id, ConnectionShare.user_id == user_id
        )
    )
    if existing is None:
        raise NotFoundError("This user holds no share of the connection")
    session.delete(existing)
    session.commit()
