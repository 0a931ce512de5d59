"""Password hashes. Every hash made here is argon2id; bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) of accounts
imported from the seed systems (passlib's CryptContext) still verify, and count as needing a rehash, so
the first successful sign-in replaces them with argon2id."""

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.config import settings

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# bcrypt reads at most 72 bytes; passlib, which made the imported hashes, dropped the rest silently.
BCRYPT_MAX_PASSWORD_BYTES = 72

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


def is_bcrypt(hashed: str) -> bool:
    return hashed.startswith(BCRYPT_PREFIXES)


def verify_bcrypt(password: str, hashed: str) -> bool:
    import bcrypt  # only imported accounts have such hashes: no cold start pays for the import

    try:
        return bcrypt.checkpw(password.encode("utf-8")[:BCRYPT_MAX_PASSWORD_BYTES], hashed.encode("ascii"))
    except ValueError:  # a malformed hash (bad salt, non-ASCII)
        return False


def verify_password(password: str, hashed: str | None) -> bool:
    """True if `password` matches; spends the same time when there is no hash to check."""
    if hashed is not None and is_bcrypt(hashed):
        return verify_bcrypt(password, hashed)
    try:
        return _password_hasher.verify(hashed or _dummy_hash(), password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(hashed: str) -> bool:
    """A bcrypt hash always does; an argon2 one when its parameters are not today's settings."""
    return is_bcrypt(hashed) or _password_hasher.check_needs_rehash(hashed)
