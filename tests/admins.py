"""Administrators for API tests: an account holding a role with exactly the given permissions."""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from shared.admin.models import Role, UserRole
from tests.accounts import signup

_sequence = itertools.count(1)


def grant(db: Session, user_id: Any, *permissions: str) -> Role:
    """A new role with `permissions`, held by the user."""
    role = Role(name=f"role {next(_sequence)}", permissions=list(permissions))
    db.add(role)
    db.flush()
    db.add(UserRole(user_id=user_id, role_id=role.id))
    db.flush()
    return role


def admin_with(client: TestClient, db: Session, *permissions: str, **signup_fields: Any) -> dict[str, Any]:
    """A freshly registered account (tokens, user, password) holding a role with `permissions`."""
    tokens = signup(client, **signup_fields)
    grant(db, tokens["user"]["id"], *permissions)
    return tokens


def set_account(db: Session, tokens: dict[str, Any], **values: Any) -> None:
    """Change an account's columns behind the API's back, its loaded copy in the session included (the
    requests of a test share its session)."""
    from sqlalchemy import update

    from shared.users.models import User

    db.execute(
        update(User)
        .where(User.id == tokens["user"]["id"])
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
