"""Refresh-token sessions: issue on sign-in, rotate on refresh, revoke a family on reuse or logout.
A family (every session rotated from one sign-in) is what a user sees as one of their sign-ins."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from shared.auth.models import UserSession
from shared.auth.schemas import TokenPair
from shared.auth.security import create_access_token, hash_token, new_token
from shared.config import get_utc_now, settings
from shared.errors import AuthenticationError, NotFoundError
from shared.users.models import User

logger = Logger(child=True)

REFRESH_TOKEN_BYTES = 48


@dataclass(frozen=True)
class ClientInfo:
    """Who is asking, as far as the request tells: source IP (API Gateway's, not a header), agent, and
    the city of LOGIN_CITY_HEADER when the operator names a header their CDN sets."""

    ip: str | None = None
    user_agent: str | None = None
    city: str | None = None


def issue_tokens(
    *,
    session: Session,
    user: User,
    client: ClientInfo,
    family_id: uuid.UUID | None = None,
    signed_in_at: datetime | None = None,
) -> TokenPair:
    """Open a session (a new family unless rotating) and return its access and refresh tokens."""
    refresh_token = new_token(REFRESH_TOKEN_BYTES)
    session_id = uuid.uuid4()
    now = get_utc_now()
    record = UserSession(
        id=session_id,
        user_id=user.id,
        family_id=family_id or session_id,
        token_hash=hash_token(refresh_token),
        expires_at=now + timedelta(days=settings.REFRESH_TOKEN_EXPIRE_DAYS),
        ip=client.ip,
        user_agent=client.user_agent,
        signed_in_at=signed_in_at or now,
        last_used_at=now,
    )
    session.add(record)
    session.flush()
    access_token, expires_in = create_access_token(user.id, record.family_id)
    return TokenPair(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)


def revoke_family(*, session: Session, family_id: uuid.UUID, reason: str) -> int:
    """Revoke every live session of one sign-in; returns how many were live."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.family_id == family_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=get_utc_now(), revoked_reason=reason)
    )
    return result.rowcount


def revoke_user_sessions(
    *, session: Session, user_id: uuid.UUID, reason: str, keep_family_id: uuid.UUID | None = None
) -> int:
    """Revoke all sessions of a user, except (optionally) the caller's own sign-in."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep_family_id is not None:
        statement = statement.where(UserSession.family_id != keep_family_id)
    return session.execute(statement.values(revoked_at=get_utc_now(), revoked_reason=reason)).rowcount


def rotate(*, session: Session, refresh_token: str, client: ClientInfo) -> tuple[User, TokenPair]:
    """Trade a refresh token for a new pair. A token used twice means theft: its whole family dies."""
    record = session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_token(refresh_token)).with_for_update()
    )
    if record is None:
        raise AuthenticationError("Invalid refresh token")
    if record.revoked_at is not None:
        if record.revoked_reason == "rotated":
            revoked = revoke_family(session=session, family_id=record.family_id, reason="reuse_detected")
            session.commit()
            logger.warning("refresh token reuse: session family revoked", extra={"sessions_revoked": revoked})
        raise AuthenticationError("Refresh token has been revoked")
    if record.expires_at <= get_utc_now():
        raise AuthenticationError("Refresh token expired")
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("Account is disabled")
    record.revoked_at = get_utc_now()
    record.revoked_reason = "rotated"
    tokens = issue_tokens(
        session=session,
        user=user,
        client=client,
        family_id=record.family_id,
        signed_in_at=record.signed_in_at,
    )
    session.commit()
    return user, tokens


def _live() -> ColumnElement[bool]:
    return and_(UserSession.revoked_at.is_(None), UserSession.expires_at > get_utc_now())


def family_is_live(*, session: Session, family_id: uuid.UUID) -> bool:
    """An access token stays valid while its sign-in has an unrevoked, unexpired session. Its use is
    recorded at most every SESSION_LAST_USED_RESOLUTION_SECONDS (one rare write, like API keys')."""
    row = session.execute(
        select(UserSession.id, UserSession.last_used_at)
        .where(UserSession.family_id == family_id, _live())
        .order_by(UserSession.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return False
    now = get_utc_now()
    resolution = timedelta(seconds=settings.SESSION_LAST_USED_RESOLUTION_SECONDS)
    if row.last_used_at is None or now - row.last_used_at > resolution:
        session.execute(update(UserSession).where(UserSession.id == row.id).values(last_used_at=now))
        session.commit()
    return True


def live_sign_ins(*, session: Session, user_id: uuid.UUID) -> list[UserSession]:
    """The user's live sign-ins, one per family (its newest session), most recently used first."""
    newest = (
        select(UserSession)
        .where(UserSession.user_id == user_id, _live())
        .ext(distinct_on(UserSession.family_id))
        .order_by(UserSession.family_id, UserSession.created_at.desc())
        .subquery()
    )
    latest = aliased(UserSession, newest)
    return list(session.scalars(select(latest).order_by(latest.last_used_at.desc().nulls_last(), latest.id)))


def end_sign_in(*, session: Session, user_id: uuid.UUID, family_id: uuid.UUID) -> None:
    """Revoke one live sign-in of the user; another user's, or one already ended, is a 404."""
    ended = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.family_id == family_id, _live())
        .values(revoked_at=get_utc_now(), revoked_reason="ended_by_user")
    ).rowcount
    if not ended:
        raise NotFoundError("Session not found")
    session.commit()


def find_family_of(*, session: Session, refresh_token: str) -> UserSession | None:
    return session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(refresh_token)))
