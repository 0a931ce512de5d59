"""Signing in and out: register, password login, refresh, logout, password reset, magic links, and
proving the address of an account (verification links)."""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

from shared.admin import runtime_config
from shared.auth import api_keys, login_guard, one_time_tokens
from shared.auth import sessions as session_service
from shared.auth.principal import Principal
from shared.auth.schemas import LoginRequest, RegisterRequest, TokenPair
from shared.auth.sessions import ClientInfo
from shared.config import get_utc_now, settings
from shared.email import service as email_service_module
from shared.errors import AuthenticationError, BadRequestError, ConflictError, PermissionDeniedError
from shared.users import service as user_service
from shared.users.models import User
from shared.users.passwords import verify_password
from shared.users.schemas import PasswordChangeRequest

logger = Logger(child=True)


@dataclass(frozen=True)
class SignedIn:
    user: User
    tokens: TokenPair


def mailer() -> email_service_module.EmailService:
    return email_service_module.email_service


@contextmanager
def at_least(milliseconds: int, sleep=time.sleep, clock=time.monotonic) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Make the block last at least `milliseconds`, so answers for known and unknown addresses take
    the same time (mail goes out only for known ones)."""
    started = clock()
    try:
        yield
    finally:
        remaining = milliseconds / 1000 - (clock() - started)
        if remaining > 0:
            sleep(remaining)


def register(*, session: Session, request: RegisterRequest, client: ClientInfo) -> SignedIn:
    """Create an account, sign it in, and send the welcome mail."""
    user = user_service.create_user(
        session=session, email=request.email, username=request.username, password=request.password
    )
    tokens = session_service.issue_tokens(session=session, user=user, client=client)
    user.last_login_at = get_utc_now()
    login_guard.record_attempt(
        session=session,
        identifier=user.email,
        method="register",
        status="success",
        client=client,
        user_id=user.id,
    )
    verify_token = issue_verification(session=session, user=user)
    session.commit()
    mailer().send_welcome_email(session, user.email, user.username, verify_token)
    return SignedIn(user=user, tokens=tokens)


def issue_verification(*, session: Session, user: User) -> str:
    return one_time_tokens.issue(
        session=session,
        purpose=one_time_tokens.VERIFY_EMAIL,
        email=user.email,
        user_id=user.id,
        lifetime=timedelta(hours=settings.EMAIL_VERIFY_EXPIRE_HOURS),
    )


def resend_verification(*, session: Session, user: User) -> None:
    """Mail a fresh verification link (earlier ones die); 409 once the address is verified."""
    if user.email_verified:
        raise ConflictError("This address is already verified")
    if user.email.endswith(email_service_module.UNDELIVERABLE_SUFFIX):
        raise BadRequestError("This account has no address to verify")
    token = issue_verification(session=session, user=user)
    session.commit()
    mailer().send_verification_email(session, user.email, token)


def verify_email(*, session: Session, token: str) -> User:
    """Spend a verification link: the account's current address is proven."""
    record = one_time_tokens.consume(session=session, purpose=one_time_tokens.VERIFY_EMAIL, token=token)
    user = session.get(User, record.user_id) if record.user_id else None
    if user is None or not user.is_active or user.email != record.email:
        session.rollback()
        raise BadRequestError("This link is invalid, already used or expired; request a new one.")
    if user.email_verified_at is None:
        user.email_verified_at = get_utc_now()
    session.commit()
    return user


def mailbox_proven(*, session: Session, user: User) -> None:
    """The owner of the account's mailbox has just proven it (magic link, password reset, a provider's
    verified address). If the address had never been verified, whoever set the account up may not be
    them (pre-account takeover): the password, every sign-in and every API key made before are void,
    and so is everything that could later act with the owner's secrets (`discard_unproven_work`).
    The caller commits; a scheduler that refuses to drop a schedule fails the whole claim (503)."""
    if user.email_verified_at is not None:
        return
    revoked_sessions = session_service.revoke_user_sessions(
        session=session, user_id=user.id, reason="unverified_account_claimed"
    )
    revoked_keys = api_keys.deactivate_all(session=session, user_id=user.id)
    discarded = discard_unproven_work(session=session, user_id=user.id)
    if user.hashed_password is not None or revoked_sessions or revoked_keys or any(discarded.values()):
        logger.warning(
            "unverified account claimed by its mailbox: earlier credentials and work voided",
            extra={
                "user_id": str(user.id),
                "sessions": revoked_sessions,
                "api_keys": revoked_keys,
                **discarded,
            },
        )
    user.hashed_password = None
    user.nickname = user.avatar_url = None
    user.email_verified_at = get_utc_now()


def discard_unproven_work(*, session: Session, user_id: uuid.UUID) -> dict[str, int]:
    """What an unverified account's creator left that could later run as the real owner, with their
    `{{ secrets.* }}`: its workflows are deleted with their runs (only an owner runs a workflow),
    memories, versions, webhook secrets and EventBridge schedules, its vault secrets, its personal model
    keys (one pointing at the creator's own server would receive the owner's prompts), and its MCP
    servers and MCP settings (the same holds for the arguments an agent sends a server). What they set
    up for the account goes as well: its projects (the default one returns to how it was made), and its
    profile and settings (run mail switched off, say), which return to their defaults."""
    # Imported here, not at the top: every function authenticates through this module, and only a
    # claim needs the workflow machinery (cold start).
    from shared.llm import keys as llm_keys
    from shared.mcp import service as mcp_service
    from shared.mcp import tool_settings as mcp_settings
    from shared.profiles import service as profile_service
    from shared.projects import service as project_service
    from shared.vault import service as vault_service
    from shared.workflows import service as workflow_service

    return {
        "workflows": workflow_service.delete_all_owned(session=session, user_id=user_id),
        "secrets": vault_service.remove_all(session=session, user_id=user_id),
        "model_keys": llm_keys.remove_all(session=session, user_id=user_id),
        "projects": project_service.reset(session=session, user_id=user_id),
        "preferences": profile_service.reset(session=session, user_id=user_id),
        "mcp_servers": mcp_service.remove_all(session=session, user_id=user_id),
        "mcp_settings": mcp_settings.remove_all(session, user_id=user_id),
    }


def login(*, session: Session, request: LoginRequest, client: ClientInfo) -> SignedIn:
    """Password sign-in by email or username, within the brute-force limits."""
    identifier = request.identifier
    user = user_service.get_by_identifier(session=session, identifier=identifier)
    user_id = user.id if user is not None else None
    login_guard.ensure_not_blocked(
        session=session, identifier=identifier, user_id=user_id, client=client, method="password"
    )
    if user is None:
        verify_password(request.password, None)  # an unknown name costs what a wrong password costs
    if user is None or not user_service.check_password(session=session, user=user, password=request.password):
        login_guard.record_attempt(
            session=session,
            identifier=identifier,
            method="password",
            status="failure",
            client=client,
            user_id=user_id,
            message="unknown account" if user is None else "wrong password",
        )
        session.commit()
        raise AuthenticationError("Incorrect email/username or password")
    return complete_sign_in(
        session=session, user=user, identifier=identifier, method="password", client=client
    )


def complete_sign_in(
    *, session: Session, user: User, identifier: str, method: str, client: ClientInfo
) -> SignedIn:
    """Open a session for a user whose identity is proven, unless the account is disabled; an account
    that does not allow several sign-ins (`is_multi_login` off) loses its other ones."""
    if not user.is_active:
        login_guard.record_attempt(
            session=session,
            identifier=identifier,
            method=method,
            status="failure",
            client=client,
            user_id=user.id,
            message="account disabled",
        )
        session.commit()
        raise PermissionDeniedError("This account is disabled")
    if not user.is_multi_login:
        session_service.revoke_user_sessions(session=session, user_id=user.id, reason="signed_in_elsewhere")
    tokens = session_service.issue_tokens(session=session, user=user, client=client)
    user.last_login_at = get_utc_now()
    login_guard.record_attempt(
        session=session,
        identifier=identifier,
        method=method,
        status="success",
        client=client,
        user_id=user.id,
    )
    session.commit()
    return SignedIn(user=user, tokens=tokens)


def refresh(*, session: Session, refresh_token: str, client: ClientInfo) -> SignedIn:
    user, tokens = session_service.rotate(session=session, refresh_token=refresh_token, client=client)
    return SignedIn(user=user, tokens=tokens)


def logout(*, session: Session, principal: Principal, refresh_token: str | None) -> None:
    """End the caller's sign-in (and the one of `refresh_token`, if it is theirs)."""
    families = set()
    if principal.session_family_id is not None:
        families.add(principal.session_family_id)
    if refresh_token is not None:
        record = session_service.find_family_of(session=session, refresh_token=refresh_token)
        if record is not None and record.user_id == principal.user.id:
            families.add(record.family_id)
    for family_id in families:
        session_service.revoke_family(session=session, family_id=family_id, reason="logout")
    session.commit()


def request_password_reset(*, session: Session, email: str) -> None:
    """Mail a reset link (PASSWORD_RESET_EXPIRE_MINUTES) if the address has an account; say nothing
    either way."""
    with at_least(settings.AUTH_MIN_RESPONSE_MS):
        user = user_service.get_by_email(session=session, email=email)
        if user is None or not user.is_active:
            return
        token = one_time_tokens.issue(
            session=session,
            purpose=one_time_tokens.PASSWORD_RESET,
            email=user.email,
            user_id=user.id,
            lifetime=timedelta(minutes=settings.PASSWORD_RESET_EXPIRE_MINUTES),
        )
        session.commit()
        mailer().send_password_reset_email(session, user.email, token)


def reset_password(*, session: Session, token: str, new_password: str) -> None:
    """Spend a reset token: set the password and sign out every session."""
    record = one_time_tokens.consume(session=session, purpose=one_time_tokens.PASSWORD_RESET, token=token)
    user = session.get(User, record.user_id) if record.user_id else None
    if user is None or not user.is_active:
        session.rollback()
        raise AuthenticationError("This account is disabled")
    mailbox_proven(session=session, user=user)
    user_service.set_password(user=user, password=new_password)
    session_service.revoke_user_sessions(session=session, user_id=user.id, reason="password_reset")
    session.commit()


def change_password(*, session: Session, principal: Principal, change: PasswordChangeRequest) -> None:
    """Set a new password after checking the current one; every other sign-in is signed out."""
    user = principal.user
    if user.hashed_password is None:
        raise BadRequestError("This account has no password yet; set one through password reset")
    if not user_service.check_password(session=session, user=user, password=change.current_password):
        raise BadRequestError("The current password is incorrect")
    user_service.set_password(user=user, password=change.new_password)
    session_service.revoke_user_sessions(
        session=session,
        user_id=user.id,
        reason="password_changed",
        keep_family_id=principal.session_family_id,
    )
    session.commit()


def request_magic_link(*, session: Session, email: str) -> None:
    """Mail a 15-minute sign-in link to an account, or to a new address when sign-up is open."""
    with at_least(settings.AUTH_MIN_RESPONSE_MS):
        user = user_service.get_by_email(session=session, email=email)
        if user is None and not runtime_config.effective(session, "AUTH_OPEN_SIGNUP"):
            return
        if user is not None and not user.is_active:
            return
        token = one_time_tokens.issue(
            session=session,
            purpose=one_time_tokens.MAGIC_LINK,
            email=email,
            user_id=user.id if user else None,
            lifetime=timedelta(minutes=settings.MAGIC_LINK_EXPIRE_MINUTES),
        )
        session.commit()
        mailer().send_magic_link_email(session, email, token, settings.MAGIC_LINK_EXPIRE_MINUTES)


def verify_magic_link(*, session: Session, token: str, client: ClientInfo) -> SignedIn:
    """Spend a magic link: sign its owner in, creating the account if sign-up was open."""
    record = one_time_tokens.consume(session=session, purpose=one_time_tokens.MAGIC_LINK, token=token)
    user = session.get(User, record.user_id) if record.user_id else None
    created = False
    if user is None:
        user = user_service.get_by_email(session=session, email=record.email)
    if user is None:
        if not runtime_config.effective(session, "AUTH_OPEN_SIGNUP"):
            session.commit()
            raise AuthenticationError("This address has no account")
        username = user_service.available_username(session=session, wanted=record.email.split("@")[0])
        user = user_service.create_user(
            session=session, email=record.email, username=username, email_verified=True
        )
        created = True
    elif user.is_active:
        mailbox_proven(session=session, user=user)
    signed_in = complete_sign_in(
        session=session, user=user, identifier=record.email, method="magic_link", client=client
    )
    if created:
        mailer().send_welcome_email(session, user.email, user.username)
    return signed_in
