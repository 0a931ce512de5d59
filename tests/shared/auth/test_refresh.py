"""POST /v1/auth/refresh rotates; reuse revokes the family; logout revokes."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from shared.auth.models import UserSession
from tests.accounts import bearer, login, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def refresh(client, token: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/refresh", json={"refresh_token": token})


def test_refresh_returns_a_new_pair_and_revokes_the_old_token(client):
    first = signup(client)
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["user"]["id"] == first["user"]["id"]
    assert client.get("/v1/auth/me", headers=bearer(rotated)).status_code == 200
    assert refresh(client, rotated["refresh_token"]).status_code == 200


def test_reusing_a_rotated_token_revokes_the_whole_family(client):
    # GIVEN a sign-in whose refresh token was rotated once
    first = signup(client)
    rotated = refresh(client, first["refresh_token"]).json()
    # WHEN the old token is presented again (stolen and replayed)
    replay = refresh(client, first["refresh_token"])
    # THEN it is refused, and so is every token of that sign-in
    assert replay.status_code == 401
    assert refresh(client, rotated["refresh_token"]).status_code == 401
    assert client.get("/v1/auth/me", headers=bearer(rotated)).status_code == 401


def test_reuse_does_not_touch_the_users_other_sign_ins(client):
    account = signup(client, email="two.devices@example.com")
    other_device = login(client, "two.devices@example.com").json()
    refresh(client, account["refresh_token"])
    refresh(client, account["refresh_token"])  # replay
    assert client.get("/v1/auth/me", headers=bearer(other_device)).status_code == 200
    assert refresh(client, other_device["refresh_token"]).status_code == 200


def test_an_unknown_refresh_token_is_401(client):
    assert refresh(client, "x" * 64).status_code == 401


def test_an_expired_refresh_token_is_401(client, db):
    tokens = signup(client)
    db.execute(update(UserSession).values(expires_at=UserSession.created_at - timedelta(seconds=1)))
    response = refresh(client, tokens["refresh_token"])
    assert response.status_code == 401
    assert response.json() == {"detail": "Refresh token expired"}


def test_logout_ends_the_sign_in(client):
    tokens = signup(client)
    assert client.post("/v1/auth/logout", headers=bearer(tokens)).status_code == 204
    assert client.get("/v1/auth/me", headers=bearer(tokens)).status_code == 401
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_logout_keeps_the_users_other_sign_ins(client):
    account = signup(client, email="laptop@example.com")
    phone = login(client, "laptop@example.com").json()
    client.post("/v1/auth/logout", headers=bearer(account))
    assert client.get("/v1/auth/me", headers=bearer(phone)).status_code == 200


def test_logout_needs_credentials(client):
    assert client.post("/v1/auth/logout").status_code == 401


def test_an_inactive_user_cannot_refresh(client, db):
    from shared.users.models import User

    tokens = signup(client, email="paused@example.com")
    db.execute(update(User).where(User.email == "paused@example.com").values(is_active=False))
    assert refresh(client, tokens["refresh_token"]).status_code == 401
