"""Roles, who holds them, and what a user may do: superusers everything, others the permissions of
their active roles. Nobody but a superuser grants a permission they do not hold themselves."""

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.admin.models import Role, UserRole
from shared.admin.permissions import EVERY_PERMISSION
from shared.api.pagination import PageParams, paginate
from shared.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from shared.users.models import User

if TYPE_CHECKING:  # request schemas: annotations only, not built at import
    from shared.admin.schemas import RoleCreate, RoleUpdate


def permissions_of(session: Session, user: User) -> frozenset[str]:
    """Every permission for a superuser; else the union of the user's active roles' permissions."""
    if user.is_superuser:
        return EVERY_PERMISSION
    held = session.scalars(
        select(Role.permissions)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user.id, Role.status == "active")
    )
    return frozenset(permission for permissions in held for permission in permissions) & EVERY_PERMISSION


def ensure_within_reach(session: Session, actor: User, permissions: Iterable[str]) -> None:
    """A 403 unless the actor holds every one of `permissions` (no granting what one lacks)."""
    beyond = sorted(set(permissions) - permissions_of(session, actor))
    if beyond:
        raise PermissionDeniedError(f"Only someone who holds them may grant: {', '.join(beyond)}")


def get_role(session: Session, role_id: uuid.UUID) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFoundError("Role not found")
    return role


def holders(session: Session, role_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many users hold each role."""
    rows = session.execute(
        select(UserRole.role_id, func.count())
        .where(UserRole.role_id.in_(list(role_ids)))
        .group_by(UserRole.role_id)
    )
    return {role_id: count for role_id, count in rows}


def list_roles(session: Session, page: PageParams) -> tuple[list[Role], int]:
    return paginate(session, select(Role).order_by(func.lower(Role.name), Role.id), page)


def _save(session: Session, role: Role) -> Role:
    """Flush a new or renamed role; a name taken in any case is a 409, even when two requests race."""
    with session.no_autoflush:
        taken = session.scalar(
            select(Role.id).where(func.lower(Role.name) == role.name.lower(), Role.id != role.id)
        )
    if taken is not None:
        raise ConflictError(f"A role named {role.name!r} exists already")
    try:
        with session.begin_nested():
            session.add(role)
    except IntegrityError as exc:
        raise ConflictError(f"A role named {role.name!r} exists already") from exc
    session.commit()
    return role


def create_role(session: Session, *, request: "RoleCreate", actor: User) -> Role:
    ensure_within_reach(session, actor, request.permissions)
    return _save(session, Role(id=uuid.uuid4(), **request.model_dump()))


def update_role(session: Session, *, role: Role, request: "RoleUpdate", actor: User) -> Role:
    """Change a role; the actor must hold what it grants before and after."""
    fields = request.model_dump(exclude_unset=True)
    if any(fields.get(name, "") is None for name in ("name", "status", "permissions")):
        raise InvalidInputError("name, status and permissions cannot be null")
    ensure_within_reach(session, actor, [*role.permissions, *fields.get("permissions", [])])
    for name, value in fields.items():
        setattr(role, name, value)
    return _save(session, role)


def delete_role(session: Session, *, role: Role, force: bool, actor: User) -> None:
    """Delete a role; one that users hold is a 409 unless `force`, which takes it from them."""
    ensure_within_reach(session, actor, role.permissions)
    held = holders(session, [role.id]).get(role.id, 0)
    if held and not force:
        raise ConflictError(f"{held} user(s) hold this role; delete with ?force=true to take it from them")
    session.execute(delete(UserRole).where(UserRole.role_id == role.id))
    session.delete(role)
    session.commit()


def roles_of(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Role]]:
    """The roles of each user, by name."""
    rows = session.execute(
        select(UserRole.user_id, Role)
        .join(Role, Role.id == UserRole.role_id)
        .where(UserRole.user_id.in_(list(user_ids)))
        .order_by(func.lower(Role.name))
    )
    found: dict[uuid.UUID, list[Role]] = {}
    for user_id, role in rows:
        found.setdefault(user_id, []).append(role)
    return found


def assign(session: Session, *, user: User, role_ids: list[uuid.UUID], actor: User) -> None:
    """Make `role_ids` the user's roles (the caller commits). Unknown ids are a 422; the actor must hold
    every permission of the roles given and of the roles taken away."""
    wanted = set(role_ids)
    roles = list(session.scalars(select(Role).where(Role.id.in_(wanted))))
    missing = wanted - {role.id for role in roles}
    if missing:
        raise InvalidInputError(f"roles: no role has the id {sorted(map(str, missing))[0]}")
    current = roles_of(session, [user.id]).get(user.id, [])
    changed = [role for role in [*roles, *current] if (role.id in wanted) != (role in current)]
    ensure_within_reach(session, actor, [p for role in changed for p in role.permissions])
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    session.add_all(UserRole(user_id=user.id, role_id=role_id) for role_id in wanted)
    session.flush()
