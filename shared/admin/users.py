"""User management: find accounts, and change them within guard rails. Disabling an account takes
effect at once: its EventBridge schedules are removed first (if the scheduler refuses, nothing
changes: 503), then every sign-in is revoked and every API key deactivated; re-enabling gives the
schedules back (the keys stay revoked). Nobody disables or demotes themselves or the last active
superuser (409), and only a superuser changes a superuser or makes one (403)."""

from aws_lambda_powertools import Logger
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from shared.admin import roles
from shared.admin.models import Role, UserRole
from shared.admin.schemas import AdminUserUpdate
from shared.api.pagination import PageParams, paginate
from shared.auth import api_keys
from shared.auth import sessions as session_service
from shared.errors import ConflictError, PermissionDeniedError
from shared.search.substring import contains_any
from shared.users.models import User
from shared.workflows import service as workflow_service

logger = Logger(child=True)


def search(
    session: Session, *, page: PageParams, q: str | None, is_active: bool | None, role: str | None
) -> tuple[list[User], int]:
    """Accounts whose email, username or nickname contains `q`, newest first."""
    query: Select[tuple[User]] = select(User)
    if q:
        query = query.where(contains_any(q, User.email, User.username, User.nickname))
    if is_active is not None:
        query = query.where(User.is_active == is_active)
    if role:
        query = query.where(
            exists().where(
                UserRole.user_id == User.id,
                UserRole.role_id == Role.id,
                func.lower(Role.name) == role.lower(),
            )
        )
    return paginate(session, query.order_by(User.created_at.desc(), User.id), page)


def ensure_another_superuser_remains(session: Session, user: User) -> None:
    """409 if `user` is the last active superuser; the rows stay locked until commit, so two admins
    demoting each other at once cannot both succeed."""
    active = session.scalars(
        select(User.id).where(User.is_superuser, User.is_active).order_by(User.id).with_for_update()
    ).all()
    if user.id in active and len(active) <= 1:
        raise ConflictError("This is the last active superuser; make another one first")


def _check_guard_rails(session: Session, *, user: User, fields: dict[str, object], actor: User) -> None:
    disabling = fields.get("is_active") is False and user.is_active
    demoting = fields.get("is_superuser") is False and user.is_superuser
    if "is_superuser" in fields and fields["is_superuser"] != user.is_superuser and not actor.is_superuser:
        raise PermissionDeniedError("Only a superuser makes or unmakes superusers")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDeniedError("Only a superuser changes a superuser's account")
    if "roles" in fields and "roles:manage" not in roles.permissions_of(session, actor):
        raise PermissionDeniedError("This needs the permission roles:manage")
    if (disabling or demoting) and user.id == actor.id:
        raise ConflictError("You cannot disable or demote yourself")
    if (disabling or demoting) and user.is_superuser:
        ensure_another_superuser_remains(session, user)


def disable(session: Session, user: User) -> None:
    """Pause the schedules (first: a refusal changes nothing), end every sign-in, revoke every key."""
    paused = workflow_service.pause_schedules(session=session, user_id=user.id)
    revoked = session_service.revoke_user_sessions(
        session=session, user_id=user.id, reason="account_disabled"
    )
    keys = api_keys.deactivate_all(session=session, user_id=user.id)
    user.is_active = False
    logger.info(
        "account disabled",
        extra={"user_id": str(user.id), "sessions": revoked, "api_keys": keys, "schedules": paused},
    )


def enable(session: Session, user: User) -> None:
    user.is_active = True
    resumed = workflow_service.resume_schedules(session=session, user_id=user.id)
    logger.info("account enabled", extra={"user_id": str(user.id), "schedules": resumed})


def update_user(session: Session, *, user: User, changes: AdminUserUpdate, actor: User) -> User:
    fields = changes.model_dump(exclude_unset=True)
    for name in ("is_active", "is_superuser", "roles"):
        if name in fields and fields[name] is None:
            fields.pop(name)
    _check_guard_rails(session, user=user, fields=fields, actor=actor)
    if "roles" in fields:
        roles.assign(session, user=user, role_ids=list(fields["roles"]), actor=actor)
    if "nickname" in fields:
        user.nickname = fields["nickname"]
    if "is_superuser" in fields:
        user.is_superuser = fields["is_superuser"]
    if fields.get("is_active") is False and user.is_active:
        disable(session, user)
    elif fields.get("is_active") is True and not user.is_active:
        enable(session, user)
    session.commit()
    return user
