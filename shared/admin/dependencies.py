"""`require_permission`: what every admin route depends on (401 anonymous, 403 without the permission;
superusers hold them all), and the objects the admin routes' paths name (404 when missing)."""

import uuid
from typing import Annotated, Any

from fastapi import Depends

from shared.admin import notices, roles
from shared.admin.models import Notice, Role
from shared.admin.permissions import PERMISSIONS, Permission
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.errors import NotFoundError, PermissionDeniedError
from shared.users.models import User


def require_permission(permission: Permission) -> Any:
    """A dependency handing the route the caller, if they hold `permission`."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def holder_of_permission(user: CurrentUser, session: SessionDep) -> User:
        if permission not in roles.permissions_of(session, user):
            raise PermissionDeniedError(f"This needs the permission {permission}")
        return user

    return Depends(holder_of_permission)


CatalogWriter = Annotated[User, require_permission("catalog:write")]
Auditor = Annotated[User, require_permission("audit:read")]
UserReader = Annotated[User, require_permission("users:read")]
UserManager = Annotated[User, require_permission("users:manage")]
RoleManager = Annotated[User, require_permission("roles:manage")]
CreditGranter = Annotated[User, require_permission("credits:grant")]
UsageReader = Annotated[User, require_permission("usage:read")]
NoticeManager = Annotated[User, require_permission("notices:manage")]
ConfigManager = Annotated[User, require_permission("config:manage")]
SystemReader = Annotated[User, require_permission("system:read")]
JobManager = Annotated[User, require_permission("jobs:manage")]


def role_by_id(role_id: uuid.UUID, _: RoleManager, session: SessionDep) -> Role:
    return roles.get_role(session, role_id)


def _user(session: SessionDep, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("User not found")
    return user


def readable_user(user_id: uuid.UUID, _: UserReader, session: SessionDep) -> User:
    return _user(session, user_id)


def manageable_user(user_id: uuid.UUID, _: UserManager, session: SessionDep) -> User:
    return _user(session, user_id)


def notice_by_id(notice_id: uuid.UUID, _: NoticeManager, session: SessionDep) -> Notice:
    return notices.get_notice(session, notice_id)


RoleById = Annotated[Role, Depends(role_by_id)]
ReadableUser = Annotated[User, Depends(readable_user)]
ManageableUser = Annotated[User, Depends(manageable_user)]
NoticeById = Annotated[Notice, Depends(notice_by_id)]
