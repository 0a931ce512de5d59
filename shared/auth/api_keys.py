"""Personal API keys (seed 001): `sk_` + 43 random characters, shown once, stored as a hash."""

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.admin import runtime_config
from shared.api.pagination import PageParams, paginate
from shared.auth.models import ApiKey
from shared.auth.security import API_KEY_DISPLAY_LENGTH, API_KEY_PREFIX, hash_token, new_api_key
from shared.config import get_utc_now, settings
from shared.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from shared.users.models import User

if TYPE_CHECKING:  # request schemas: annotations only, not built at import
    from shared.auth.schemas import ApiKeyCreate


def create(*, session: Session, user: User, request: "ApiKeyCreate") -> tuple[ApiKey, str]:
    """Create a key; the clear key is returned here and never again."""
    expires_at = request.expires_at
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInputError("expires_at needs a timezone, e.g. 2027-01-01T00:00:00Z")
        if expires_at <= get_utc_now():
            raise InvalidInputError("expires_at must be in the future")
    active = session.scalar(
        select(func.count()).select_from(ApiKey).where(ApiKey.user_id == user.id, ApiKey.is_active)
    )
    limit = runtime_config.effective(session, "MAX_API_KEYS_PER_USER")
    if active >= limit:
        raise ConflictError(f"At most {limit} active API keys; revoke one first")
    key = new_api_key()
    record = ApiKey(
        user_id=user.id,
        name=request.name,
        prefix=key[:API_KEY_DISPLAY_LENGTH],
        key_hash=hash_token(key),
        expires_at=expires_at,
    )
    session.add(record)
    session.commit()
    return record, key


def list_for(*, session: Session, user: User, page: PageParams) -> tuple[list[ApiKey], int]:
    """The caller's keys, newest first (never the key itself)."""
    query = select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc(), ApiKey.id)
    return paginate(session, query, page)


def revoke(*, session: Session, user: User, key_id: uuid.UUID) -> None:
    """Deactivate one of the caller's keys; another user's key is a 404."""
    record = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == user.id))
    if record is None:
        raise NotFoundError("API key not found")
    record.is_active = False
    session.commit()


def deactivate_all(*, session: Session, user_id: uuid.UUID) -> int:
    """Deactivate every active key of a user (the caller commits); returns how many."""
    return session.execute(
        update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.is_active).values(is_active=False)
    ).rowcount


def authenticate(*, session: Session, key: str) -> User:
    """The active owner of an active, unexpired key; anything else is a 401."""
    if not key.startswith(API_KEY_PREFIX):
        raise AuthenticationError("Invalid API key")
    row = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == hash_token(key))
    ).first()
    now = get_utc_now()
    if row is None or not row.ApiKey.is_active:
        raise AuthenticationError("Invalid API key")
    record, user = row.ApiKey, row.User
    if record.expires_at is not None and record.expires_at <= now:
        raise AuthenticationError("API key expired")
    if not user.is_active:
        raise AuthenticationError("Account is disabled")
    if record.last_used_at is None or now - record.last_used_at > timedelta(
        seconds=settings.API_KEY_LAST_USED_RESOLUTION_SECONDS
    ):
        record.last_used_at = now
        session.commit()
    return user
