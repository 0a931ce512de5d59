"""Accounts: lookup, creation with unique names, profile changes, the password hash. Signing in and
out, and what a password change does to sessions, is auth's (shared.auth.service)."""

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.admin import runtime_config
from shared.config import get_utc_now
from shared.errors import ConflictError
from shared.llm import credits
from shared.projects import service as project_service
from shared.search.substring import contains_any
from shared.users.models import User
from shared.users.passwords import hash_password, password_needs_rehash, verify_password
from shared.users.schemas import UserCard, UserUpdate

USERNAME_MIN, USERNAME_MAX = 3, 50


def get_by_email(*, session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))


def get_by_username(*, session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def get_by_identifier(*, session: Session, identifier: str) -> User | None:
    """The account an email (has '@') or a username names."""
    if "@" in identifier:
        return get_by_email(session=session, email=identifier)
    return get_by_username(session=session, username=identifier)


def ensure_available(*, session: Session, email: str | None = None, username: str | None = None) -> None:
    if email is not None and get_by_email(session=session, email=email) is not None:
        raise ConflictError("An account with this email already exists")
    if username is not None and get_by_username(session=session, username=username) is not None:
        raise ConflictError("This username is taken")


def available_username(*, session: Session, wanted: str) -> str:
    """A free username close to `wanted` (an email's local part, a GitHub login)."""
    base = re.sub(r"[^A-Za-z0-9_-]", "", wanted)[: USERNAME_MAX - 7] or "user"
    base = base.ljust(USERNAME_MIN, "_")
    candidate = base
    while get_by_username(session=session, username=candidate) is not None:
        candidate = f"{base}_{secrets.token_hex(3)}"
    return candidate


def create_user(
    *,
    session: Session,
    email: str,
    username: str,
    password: str | None = None,
    github_id: str | None = None,
    wechat_id: str | None = None,
    email_verified: bool = False,
) -> User:
    """Insert an account, with SIGNUP_BONUS_CREDITS as its first bonus credits and its default project;
    a duplicate email or username is a 409, even when two requests race. `email_verified` when the
    address was proven on the way in (magic link, a provider's verified one)."""
    ensure_available(session=session, email=email, username=username)
    user = User(
        email=email.lower(),
        username=username,
        hashed_password=hash_password(password) if password is not None else None,
        password_changed_at=get_utc_now() if password is not None else None,
        github_id=github_id,
        wechat_id=wechat_id,
        email_verified_at=get_utc_now() if email_verified else None,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise ConflictError("An account with this email or username already exists") from exc
    project_service.ensure_default(session=session, user_id=user.id)
    bonus = runtime_config.effective(session, "SIGNUP_BONUS_CREDITS")
    if bonus > 0:
        credits.grant(session, user_id=user.id, bonus_credits=bonus, note="signup bonus")
    return user


def update_profile(*, session: Session, user: User, changes: UserUpdate) -> User:
    """Change the username, phone number, nickname, avatar or multi-login choice."""
    fields = changes.model_dump(exclude_unset=True)
    new_username = fields.get("username")
    if new_username is not None and new_username.lower() != user.username.lower():
        ensure_available(session=session, username=new_username)
    new_phone = fields.get("phone")
    phone_taken = (
        new_phone is not None
        and new_phone != user.phone
        and session.scalar(select(User.id).where(User.phone == new_phone))
    )
    if phone_taken:
        raise ConflictError("This phone number belongs to another account")
    for name, value in fields.items():
        if name in ("username", "is_multi_login") and value is None:
            continue  # a username cannot be removed; multi-login is on or off
        setattr(user, name, value)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ConflictError("This username or phone number is taken") from exc
    session.commit()
    return user


def check_password(*, session: Session, user: User, password: str) -> bool:
    """Verify a password, upgrading its hash if the hashing parameters have changed."""
    if not verify_password(password, user.hashed_password):
        return False
    assert user.hashed_password is not None
    if password_needs_rehash(user.hashed_password):
        user.hashed_password = hash_password(password)
    return True


def set_password(*, user: User, password: str) -> None:
    """Store the hash of a new password (the caller decides what else a new password ends)."""
    user.hashed_password = hash_password(password)
    user.password_changed_at = get_utc_now()


def search(*, session: Session, query: str, limit: int) -> list[UserCard]:
    """Active accounts whose username or nickname contains `query`, or whose email is exactly it (the
    only case the email is shown: the caller already knew it). Exact username matches come first."""
    exact_email = "@" in query
    condition = contains_any(query, User.username, User.nickname)
    if exact_email:
        condition = condition | (User.email == query.strip().lower())
    users = session.scalars(
        select(User)
        .where(User.is_active, condition)
        .order_by((func.lower(User.username) != query.lower()), func.lower(User.username))
        .limit(limit)
    ).all()
    cards = []
    for user in users:
        shown = user.email if exact_email and user.email == query.strip().lower() else None
        cards.append(UserCard.model_validate(user).model_copy(update={"email": shown}))
    return cards
