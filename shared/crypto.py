"""Fernet encryption of secrets at rest (webhook secrets; later OAuth and skill credentials)."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from shared.config import settings


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = settings.FERNET_KEY
    if not key:
        # Development and tests only: production refuses to start without FERNET_KEY (shared.config).
        key = base64.urlsafe_b64encode(hashlib.sha256(b"ainav-development-fernet-key").digest()).decode()
    return Fernet(key.encode())


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    """The plaintext; raises ValueError if the ciphertext was tampered with or the key changed."""
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FERNET_KEY or tampered data") from exc
