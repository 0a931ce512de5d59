"""Single-use mailed tokens (password reset, magic link, address verification): stored hashed,
consumed once."""

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.auth.models import OneTimeToken
from shared.auth.security import hash_token, new_token
from shared.config import get_utc_now
from shared.errors import BadRequestError

PASSWORD_RESET = "password_reset"
MAGIC_LINK = "magic_link"
VERIFY_EMAIL = "verify_email"


def issue(
    *, session: Session, purpose: str, email: str, user_id: uuid.UUID | None, lifetime: timedelta
) -> str:
    """Store the hash of a new token (earlier unused ones of the same purpose die); return the token."""
    now = get_utc_now()
    session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.purpose == purpose, OneTimeToken.email == email, OneTimeToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token()
    session.add(
        OneTimeToken(
            purpose=purpose,
            email=email,
            user_id=user_id,
            token_hash=hash_token(token),
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def consume(*, session: Session, purpose: str, token: str) -> OneTimeToken:
    """Mark the token used and return it; unknown, used or expired tokens are refused alike."""
    record = session.scalar(
        select(OneTimeToken)
        .where(OneTimeToken.token_hash == hash_token(token), OneTimeToken.purpose == purpose)
        .with_for_update()
    )
    now = get_utc_now()
    if record is None or record.used_at is not None or record.expires_at <= now:
        raise BadRequestError("This link is invalid, already used or expired; request a new one.")
    record.used_at = now
    session.flush()
    return record
