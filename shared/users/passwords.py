"""Password hashes: argon2id, with the parameters of the settings."""

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.config import settings

_password_hasher = PasswordHasher(
    time_cost=settings.PASSWORD_HASH_TIME_COST, memory_cost=settings.PASSWORD_HASH_MEMORY_KIB
)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so a miss costs what a hit costs (made on
    first use: an argon2 hash at import would add ~100 ms to every cold start)."""
    return _password_hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """True if `password` matches; spends the same time when there is no hash to check."""
    try:
        return _password_hasher.verify(hashed or _dummy_hash(), password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(hashed: str) -> bool:
    return _password_hasher.check_needs_rehash(hashed)
