"""Users' own provider keys (BYOK): stored Fernet-encrypted, never returned; a base URL a user gives
goes through the SSRF guard when it is saved and at every call."""

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared import crypto, outbound
from shared.errors import InvalidInputError, NotFoundError
from shared.llm.client import Endpoint
from shared.llm.models import ProviderKey
from shared.llm.offers import require_provider
from shared.llm.providers import PROVIDERS


def put_key(
    session: Session, *, user_id: uuid.UUID, provider: str, api_key: str, base_url: str | None
) -> tuple[ProviderKey, bool]:
    """Store (or replace) the user's key for a provider; returns it and whether it is new."""
    require_provider(provider)
    if base_url is None and PROVIDERS[provider] is None:
        raise InvalidInputError(f"The provider {provider!r} needs a base_url")
    if base_url is not None:
        try:
            outbound.check_destination(f"{base_url.rstrip('/')}/chat/completions")
        except outbound.OutboundError as exc:
            raise InvalidInputError(f"base_url is not allowed: {exc}") from None
    stored = session.scalar(
        select(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
    )
    created = stored is None
    if stored is None:
        stored = ProviderKey(user_id=user_id, provider=provider)
        session.add(stored)
    stored.api_key_encrypted = crypto.encrypt(api_key)
    stored.base_url = base_url
    session.commit()
    return stored, created


def list_keys(session: Session, *, user_id: uuid.UUID) -> list[ProviderKey]:
    return list(
        session.scalars(
            select(ProviderKey).where(ProviderKey.user_id == user_id).order_by(ProviderKey.provider)
        )
    )


def delete_key(session: Session, *, user_id: uuid.UUID, provider: str) -> None:
    stored = session.scalar(
        select(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
    )
    if stored is None:
        raise NotFoundError("No key is stored for this provider")
    session.delete(stored)
    session.commit()


def remove_all(session: Session, *, user_id: uuid.UUID) -> int:
    """Every key of the user (the caller commits)."""
    return session.execute(delete(ProviderKey).where(ProviderKey.user_id == user_id)).rowcount


def has_key(session: Session, *, user_id: uuid.UUID, provider: str) -> bool:
    return (
        session.scalar(
            select(ProviderKey.id).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
        )
        is not None
    )


def endpoint_for(session: Session, *, user_id: uuid.UUID, provider: str) -> Endpoint:
    """Where a call with the user's own key goes; 422 when they have none for the provider."""
    stored = session.scalar(
        select(ProviderKey).where(ProviderKey.user_id == user_id, ProviderKey.provider == provider)
    )
    if stored is None:
        raise InvalidInputError(
            f"No key for the provider {provider!r}: store one with PUT /v1/users/me/llm-keys/{provider}"
        )
    base_url = stored.base_url or PROVIDERS[provider]
    assert base_url is not None  # put_key requires one where the provider has none
    return Endpoint(
        provider=provider, base_url=base_url, api_key=crypto.decrypt(stored.api_key_encrypted), guarded=True
    )
