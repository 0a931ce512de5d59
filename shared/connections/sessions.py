"""Chat sessions and their messages: a user's own sessions on a connection, the sessions others made
public (readable with a `view` share), public share tokens (anyone with the token reads the session
until it is unshared), and the SQL history of a connection."""

import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared import crypto
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now, settings
from shared.connections.models import ChatMessage, ChatSession, DatabaseConnection
from shared.connections.sharing import Access
from shared.errors import NotFoundError, PermissionDeniedError
from shared.users.models import User

SHARE_TOKEN_BYTES = 32
MAX_MESSAGES_SHOWN = 500
TITLE_CHARS = 255


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_or_start(
    session: Session, *, connection: DatabaseConnection, user: User, session_id: uuid.UUID | None, title: str
) -> ChatSession:
    """The caller's session of this connection, or a new one titled by its first question (404 for a
    session that is not the caller's on this connection)."""
    if session_id is not None:
        found = session.get(ChatSession, session_id)
        if found is None or found.user_id != user.id or found.connection_id != connection.id:
            raise NotFoundError("Chat session not found")
        return found
    chat_session = ChatSession(
        connection_id=connection.id, user_id=user.id, title=" ".join(title.split())[:TITLE_CHARS]
    )
    session.add(chat_session)
    session.flush()
    return chat_session


def add_message(
    session: Session,
    chat_session: ChatSession,
    *,
    role: str,
    content: str = "",
    status: str = "complete",
    metadata: dict[str, Any] | None = None,
    **fields: Any,
) -> ChatMessage:
    message = ChatMessage(
        session_id=chat_session.id,
        role=role,
        content=content,
        status=status,
        message_metadata=metadata or {},
        **fields,
    )
    session.add(message)
    chat_session.updated_at = get_utc_now()
    session.flush()
    return message


def readable(session: Session, access: Access, session_id: uuid.UUID) -> ChatSession:
    """A session of this connection the caller may read: their own, or a public one with a `view`
    share or more; 404 otherwise."""
    found = session.get(ChatSession, session_id)
    if found is None or found.connection_id != access.connection.id:
        raise NotFoundError("Chat session not found")
    if found.user_id != access.user.id and not (found.is_public and access.allows("view")):
        raise NotFoundError("Chat session not found")
    return found


def own(session: Session, access: Access, session_id: uuid.UUID) -> ChatSession:
    """A session the caller may change: their own (403 for one they may only read)."""
    found = readable(session, access, session_id)
    if found.user_id != access.user.id:
        raise PermissionDeniedError("Only the person who asked may change this session")
    return found


def list_sessions(session: Session, access: Access, page: PageParams) -> tuple[list[ChatSession], int]:
    """The caller's sessions of the connection, and with a `view` share or more the public sessions of
    others; most recently active first."""
    visible = ChatSession.user_id == access.user.id
    if access.allows("view"):
        visible = or_(visible, ChatSession.is_public.is_(True))
    query = (
        select(ChatSession)
        .where(ChatSession.connection_id == access.connection.id, visible)
        .order_by(ChatSession.updated_at.desc(), ChatSession.id)
    )
    return paginate(session, query, page)


def messages_of(session: Session, chat_session: ChatSession) -> list[ChatMessage]:
    """The session's messages, oldest first (the latest MAX_MESSAGES_SHOWN)."""
    latest = session.scalars(
        select(ChatMessage)
        .where(ChatMessage.session_id == chat_session.id)
        .order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc())
        .limit(MAX_MESSAGES_SHOWN)
    ).all()
    return list(reversed(latest))


def delete(session: Session, chat_session: ChatSession) -> None:
    session.delete(chat_session)
    session.commit()


def share_token_of(chat_session: ChatSession) -> str | None:
    """The public token of a shared session, for its owner to see again."""
    if not chat_session.is_public or not chat_session.share_token_ciphertext:
        return None
    try:
        return crypto.decrypt(chat_session.share_token_ciphertext)
    except ValueError:  # the key changed: share again for a new token
        return None


def set_public(session: Session, chat_session: ChatSession, is_public: bool) -> str | None:
    """Share the session publicly (a token of 32 random bytes, kept as its SHA-256 and encrypted; the
    same token while it stays shared) or stop sharing it (the token dies; sharing again makes a new one)."""
    if not is_public:
        chat_session.is_public = False
        chat_session.share_token_hash = chat_session.share_token_ciphertext = None
        session.commit()
        return None
    token = share_token_of(chat_session)
    if token is None:
        token = secrets.token_urlsafe(SHARE_TOKEN_BYTES)
        chat_session.share_token_hash = _hash(token)
        chat_session.share_token_ciphertext = crypto.encrypt(token)
    chat_session.is_public = True
    session.commit()
    return token


def share_url(token: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/shared-chats/{token}"


def shared(session: Session, token: str) -> tuple[ChatSession, DatabaseConnection]:
    """The publicly shared session of a token; 404 for an unknown token or one no longer shared."""
    found = session.scalar(select(ChatSession).where(ChatSession.share_token_hash == _hash(token)))
    if found is None or not found.is_public:
        raise NotFoundError("No shared chat has this token")
    connection = session.get(DatabaseConnection, found.connection_id)
    assert connection is not None  # a session goes with its connection
    return found, connection


def sql_history(
    session: Session, access: Access, page: PageParams
) -> tuple[list[tuple[ChatMessage, ChatSession, str | None]], int]:
    """The queries run on the connection, newest first, each with its question: the caller's own, or
    with an `owner` share or more everyone's (the database's owner audits what ran on it)."""
    query = (
        select(ChatMessage)
        .join(ChatSession, ChatSession.id == ChatMessage.session_id)
        .where(
            ChatSession.connection_id == access.connection.id,
            ChatMessage.role == "assistant",
            ChatMessage.sql_query.is_not(None),
        )
        .order_by(ChatMessage.created_at.desc(), ChatMessage.id)
    )
    if not access.allows("owner"):
        query = query.where(ChatSession.user_id == access.user.id)
    items, total = paginate(session, query, page)
    sessions = {
        s.id: s
        for s in session.scalars(select(ChatSession).where(ChatSession.id.in_({m.session_id for m in items})))
    }
    return [(item, sessions[item.session_id], _question_of(session, item)) for item in items], total


def _question_of(session: Session, answer: ChatMessage) -> str | None:
    return session.scalar(
        select(ChatMessage.content)
        .where(
            ChatMessage.session_id == answer.session_id,
            ChatMessage.role == "user",
            ChatMessage.created_at <= answer.created_at,
        )
        .order_by(ChatMessage.created_at.desc())
        .limit(1)
    )
