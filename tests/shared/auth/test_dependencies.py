"""require_superuser, for the admin routes of later issues."""

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import update

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.auth.dependencies import SuperUser
from shared.users.models import User
from tests.accounts import bearer, signup
from tests.db_support import sessions_of

pytestmark = pytest.mark.usefixtures("mailbox")

admin = APIRouter(prefix="/admin-probe")


@admin.get("")
def admin_only(user: SuperUser) -> dict[str, str]:
    return {"username": user.username}


@pytest.fixture
def admin_client(db):  # type: ignore[no-untyped-def]
    app = create_app(*API_ROUTERS, admin, sessions=sessions_of(db))
    return TestClient(app)


def test_anonymous_is_401_a_member_403_a_superuser_200(admin_client, db):
    member = signup(admin_client)
    boss = signup(admin_client, username="the_boss")
    db.execute(update(User).where(User.username == "the_boss").values(is_superuser=True))
    assert admin_client.get("/v1/admin-probe").status_code == 401
    assert admin_client.get("/v1/admin-probe", headers=bearer(member)).status_code == 403
    assert admin_client.get("/v1/admin-probe", headers=bearer(boss)).json() == {"username": "the_boss"}
