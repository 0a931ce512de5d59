"""Access tokens (HS256 JWT) and opaque random tokens stored as hashes (passwords: shared.users.passwords)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.config import get_utc_now, settings
from shared.errors import AuthenticationError

ACCESS_TOKEN_TYPE = "access"
API_KEY_PREFIX = "sk_"
API_KEY_DISPLAY_LENGTH = 11  # "sk_" and 8 characters
REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "type", "sid"]


def new_token(nbytes: int = 32) -> str:
    """An unguessable URL-safe token (refresh tokens, mailed links, OAuth states)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """sha256 of a high-entropy token: what is stored, so a database leak reveals no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_family_id: uuid.UUID
    expires_at: datetime


def create_access_token(user_id: uuid.UUID, session_family_id: uuid.UUID) -> tuple[str, int]:
    """A signed access JWT and its lifetime in seconds."""
    import jwt  # here, not at import: PyJWT loads cryptography (~60 ms), and most cold starts sign nothing

    now = get_utc_now()
    lifetime = timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    claims = {
        "sub": str(user_id),
        "sid": str(session_family_id),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "type": ACCESS_TOKEN_TYPE,
    }
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=settings.ALGORITHM), int(
        lifetime.total_seconds()
    )


def decode_access_token(token: str) -> AccessClaims:
    """Verify signature, algorithm, expiry and type; anything else is a 401."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[settings.ALGORITHM],  # never "none", never an algorithm the token picks
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("Access token expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("Invalid access token") from exc
    if claims.get("type") != ACCESS_TOKEN_TYPE:
        raise AuthenticationError("Invalid access token")
    try:
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_family_id=uuid.UUID(claims["sid"]),
            expires_at=datetime.fromtimestamp(claims["exp"], tz=get_utc_now().tzinfo),
        )
    except (ValueError, TypeError) as exc:
        raise AuthenticationError("Invalid access token") from exc
