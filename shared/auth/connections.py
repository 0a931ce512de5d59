"""The sign-in providers linked to an account (GitHub, WeChat), and unlinking one while another way to
sign in remains: a password, a mailbox for magic links, or the other provider."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from shared.email.service import UNDELIVERABLE_SUFFIX
from shared.errors import ConflictError, NotFoundError
from shared.users.models import User

PROVIDERS = {"github": "github_id", "wechat": "wechat_id"}


@dataclass(frozen=True)
class Connection:
    provider: str
    linked: bool


def connections_of(user: User) -> list[Connection]:
    return [Connection(provider, getattr(user, field) is not None) for provider, field in PROVIDERS.items()]


def sign_in_methods(user: User) -> set[str]:
    """Every way the account can sign in today."""
    methods = {provider for provider, field in PROVIDERS.items() if getattr(user, field) is not None}
    if user.hashed_password is not None:
        methods.add("password")
    if not user.email.endswith(UNDELIVERABLE_SUFFIX):
        methods.add("magic_link")
    return methods


def unlink(*, session: Session, user: User, provider: str) -> None:
    """Forget the provider's account; 404 if none is linked, 409 if it is the only way in."""
    field = PROVIDERS[provider]
    if getattr(user, field) is None:
        raise NotFoundError(f"No {provider} account is linked")
    if sign_in_methods(user) == {provider}:
        raise ConflictError(
            f"{provider} is the only way this account signs in; set a password or link another first"
        )
    setattr(user, field, None)
    session.commit()
