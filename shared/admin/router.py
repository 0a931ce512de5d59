"""/v1/admin: the permission vocabulary, roles, user management and the sign-in log (AdminFunction)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from shared.admin import roles as role_service
from shared.admin import users as user_management
from shared.admin.dependencies import (
    Auditor,
    ManageableUser,
    ReadableUser,
    RoleById,
    RoleManager,
    UserManager,
    UserReader,
)
from shared.admin.models import Role
from shared.admin.permissions import PERMISSIONS
from shared.admin.schemas import (
    AdminUserPublic,
    AdminUserUpdate,
    LoginLogPublic,
    PermissionPublic,
    RoleBrief,
    RoleCreate,
    RolePublic,
    RoleUpdate,
)
from shared.admin.system_router import as_utc
from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth import login_history
from shared.db import SessionDep
from shared.errors import InvalidInputError
from shared.users.models import User

router = APIRouter(prefix="/admin", tags=["admin"])
ADMIN_READ = error_responses(401, 403, 422)
ADMIN_READ_ONE = error_responses(401, 403, 404, 422)


def role_views(
    session: Session, items: list[Role], counts: dict[uuid.UUID, int] | None = None
) -> list[RolePublic]:
    counts = role_service.holders(session, [role.id for role in items]) if counts is None else counts
    return [
        RolePublic.model_validate(role).model_copy(update={"user_count": counts.get(role.id, 0)})
        for role in items
    ]


def user_views(session: Session, users: list[User]) -> list[AdminUserPublic]:
    held = role_service.roles_of(session, [user.id for user in users])
    return [
        AdminUserPublic.model_validate(user).model_copy(
            update={"roles": [RoleBrief.model_validate(role) for role in held.get(user.id, [])]}
        )
        for user in users
    ]


def check_period(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and as_utc(until) <= as_utc(since):
        raise InvalidInputError("until must be after since")


# --- permissions and roles -----------------------------------------------------------------------


@router.get("/permissions", response_model=list[PermissionPublic], responses=error_responses(401, 403))
def list_permissions(_: RoleManager) -> list[PermissionPublic]:
    """The fixed vocabulary a role's permissions come from."""
    return [PermissionPublic(name=name, description=text) for name, text in PERMISSIONS.items()]


@router.get("/roles", response_model=Page[RolePublic], responses=ADMIN_READ)
def list_roles(_: RoleManager, session: SessionDep, page: PageDep) -> Page[RolePublic]:
    items, total = role_service.list_roles(session, page)
    return Page.of(role_views(session, items), total, page)


@router.post(
    "/roles",
    status_code=status.HTTP_201_CREATED,
    response_model=RolePublic,
    responses=error_responses(401, 403, 409, *JSON_BODY),
)
def create_role(body: RoleCreate, actor: RoleManager, session: SessionDep) -> RolePublic:
    role = role_service.create_role(session, request=body, actor=actor)
    return role_views(session, [role], {})[0]


@router.patch(
    "/roles/{role_id}", response_model=RolePublic, responses=error_responses(401, 403, 404, 409, *JSON_BODY)
)
def update_role(role: RoleById, body: RoleUpdate, actor: RoleManager, session: SessionDep) -> RolePublic:
    return role_views(session, [role_service.update_role(session, role=role, request=body, actor=actor)])[0]


@router.delete(
    "/roles/{role_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 422),
)
def delete_role(role: RoleById, actor: RoleManager, session: SessionDep, force: bool = False) -> None:
    """A role users hold is a 409, unless `force=true` takes it from them."""
    role_service.delete_role(session, role=role, force=force, actor=actor)


# --- users -----------------------------------------------------------------------------------------


@router.get("/users", response_model=Page[AdminUserPublic], responses=ADMIN_READ)
def list_users(
    _: UserReader,
    session: SessionDep,
    page: PageDep,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="part of an email, username or nickname")
    ] = None,
    is_active: bool | None = None,
    role: Annotated[str | None, Query(min_length=1, max_length=64, description="a role's name")] = None,
) -> Page[AdminUserPublic]:
    items, total = user_management.search(session, page=page, q=q, is_active=is_active, role=role)
    return Page.of(user_views(session, items), total, page)


@router.get("/users/{user_id}", response_model=AdminUserPublic, responses=ADMIN_READ_ONE)
def read_user(user: ReadableUser, session: SessionDep) -> AdminUserPublic:
    return user_views(session, [user])[0]


@router.patch(
    "/users/{user_id}",
    response_model=AdminUserPublic,
    responses=error_responses(401, 403, 404, 409, *JSON_BODY),
)
def update_user(
    user: ManageableUser, body: AdminUserUpdate, actor: UserManager, session: SessionDep
) -> AdminUserPublic:
    """Disable or enable, (un)make superuser, set roles or the nickname; see docs/admin.md for the rules."""
    return user_views(session, [user_management.update_user(session, user=user, changes=body, actor=actor)])[
        0
    ]


# --- the sign-in log -------------------------------------------------------------------------------


@router.get("/login-logs", response_model=Page[LoginLogPublic], responses=ADMIN_READ)
def read_login_logs(
    _: Auditor,
    session: SessionDep,
    page: PageDep,
    user_id: uuid.UUID | None = None,
    status: Literal["success", "failure", "blocked"] | None = None,
    ip: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[LoginLogPublic]:
    """Every sign-in attempt, newest first; every filter narrows the list."""
    check_period(since, until)
    filters = login_history.LoginLogFilter(user_id=user_id, status=status, ip=ip, since=since, until=until)
    rows, total = login_history.search(session=session, filters=filters, page=page)
    return Page.of([LoginLogPublic.model_validate(row) for row in rows], total, page)
