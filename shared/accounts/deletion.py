"""`DELETE /v1/users/me`: an account deletes itself, confirmed by its password (or, without one, by a
fresh magic link to its address, or for an account with neither, a sign-in made within
ACCOUNT_DELETION_FRESH_SIGNIN_MINUTES); the last active superuser cannot go (409). The EventBridge
schedules go first: if the scheduler refuses, nothing is deleted (503). Then one statement deletes the
user and PostgreSQL's cascades everything it owns; its login log goes too. The operation log keeps the
request, by username (docs/admin.md)."""

from datetime import timedelta

from aws_lambda_powertools import Logger
from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.admin import users as admin_users
from shared.auth import one_time_tokens
from shared.auth.connections import sign_in_methods
from shared.auth.models import LoginLog, UserSession
from shared.auth.principal import Principal
from shared.config import get_utc_now, settings
from shared.errors import BadRequestError
from shared.users import service as user_service
from shared.users.models import User
from shared.users.schemas import Password, StrictBody
from shared.workflows import service as workflow_service

logger = Logger(child=True)


class AccountDeletion(StrictBody):
    password: Password | None = Field(None, description="the account's password, if it has one")
    token: str | None = Field(
        None,
        min_length=16,
        max_length=256,
        description="without a password: the token of a magic link just requested for the account's address",
    )


def _fresh_sign_in(session: Session, principal: Principal) -> bool:
    if principal.session_family_id is None:
        return False
    signed_in_at = session.scalar(
        select(UserSession.signed_in_at).where(UserSession.family_id == principal.session_family_id).limit(1)
    )
    fresh_after = get_utc_now() - timedelta(minutes=settings.ACCOUNT_DELETION_FRESH_SIGNIN_MINUTES)
    return signed_in_at is not None and signed_in_at >= fresh_after


def confirm(session: Session, principal: Principal, request: AccountDeletion) -> None:
    """400 unless the request proves the caller is the account's owner right now."""
    user = principal.user
    if user.hashed_password is not None:
        if not request.password or not user_service.check_password(
            session=session, user=user, password=request.password
        ):
            raise BadRequestError("The password is incorrect")
        return
    if "magic_link" in sign_in_methods(user):
        if not request.token:
            raise BadRequestError("Confirm with the token of a magic link sent to your address")
        record = one_time_tokens.consume(
            session=session, purpose=one_time_tokens.MAGIC_LINK, token=request.token
        )
        if record.user_id != user.id and record.email != user.email:
            raise BadRequestError("This link is invalid, already used or expired; request a new one.")
        return
    if not _fresh_sign_in(session, principal):
        raise BadRequestError(
            f"Sign in again, then delete within {settings.ACCOUNT_DELETION_FRESH_SIGNIN_MINUTES} minutes"
        )


def delete_account(session: Session, *, principal: Principal, request: AccountDeletion) -> None:
    user = principal.user
    confirm(session, principal, request)
    if user.is_superuser and user.is_active:
        admin_users.ensure_another_superuser_remains(session, user)
    schedules = workflow_service.remove_all_schedules(session=session, user_id=user.id)
    session.execute(delete(LoginLog).where(LoginLog.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))
    session.commit()
    logger.info("account deleted", extra={"user_id": str(user.id), "schedules": schedules})
