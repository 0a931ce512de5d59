"""/v1/users/me/api-keys and authentication by X-API-Key."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.auth.models import ApiKey
from shared.auth.security import hash_token
from shared.config import get_utc_now
from shared.users.models import User
from tests.accounts import bearer, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def create_key(client, tokens, **body):  # type: ignore[no-untyped-def]
    response = client.post("/v1/users/me/api-keys", headers=bearer(tokens), json={"name": "ci", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_key_is_shown_once_with_its_prefix(client, db):
    tokens = signup(client)
    created = create_key(client, tokens)
    key = created["key"]
    assert key.startswith("sk_") and len(key) >= 3 + 32
    assert created["prefix"] == key[:11]
    stored = db.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
    assert stored.key_hash == hash_token(key)
    listed = client.get("/v1/users/me/api-keys", headers=bearer(tokens)).json()
    assert listed["total"] == 1
    assert "key" not in listed["items"][0]
    assert key not in str(listed)


def test_the_key_authenticates_like_a_bearer_token(client):
    tokens = signup(client, username="keyholder")
    key = create_key(client, tokens)["key"]
    response = client.get("/v1/users/me", headers={"X-API-Key": key})
    assert response.status_code == 200
    assert response.json()["username"] == "keyholder"


def test_using_a_key_records_when(client, db):
    tokens = signup(client)
    created = create_key(client, tokens)
    client.get("/v1/users/me", headers={"X-API-Key": created["key"]})
    assert db.scalar(select(ApiKey.last_used_at).where(ApiKey.id == created["id"])) is not None


def test_a_revoked_key_is_401(client):
    tokens = signup(client)
    created = create_key(client, tokens)
    assert client.delete(f"/v1/users/me/api-keys/{created['id']}", headers=bearer(tokens)).status_code == 204
    assert client.get("/v1/users/me", headers={"X-API-Key": created["key"]}).status_code == 401
    assert (
        client.get("/v1/users/me/api-keys", headers=bearer(tokens)).json()["items"][0]["is_active"] is False
    )


def test_an_expired_key_is_401(client, db):
    tokens = signup(client)
    created = create_key(client, tokens, expires_at=(get_utc_now() + timedelta(days=1)).isoformat())
    db.execute(update(ApiKey).values(expires_at=get_utc_now() - timedelta(seconds=1)))
    response = client.get("/v1/users/me", headers={"X-API-Key": created["key"]})
    assert response.status_code == 401
    assert response.json() == {"detail": "API key expired"}


@pytest.mark.parametrize("key", ["sk_" + "A" * 43, "not-a-key", ""])
def test_an_unknown_key_is_401(client, key):
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401


def test_an_inactive_users_key_is_401(client, db):
    tokens = signup(client, email="sleepy@example.com")
    key = create_key(client, tokens)["key"]
    db.execute(update(User).where(User.email == "sleepy@example.com").values(is_active=False))
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401


def test_another_users_key_cannot_be_revoked(client):
    owner = signup(client)
    stranger = signup(client)
    created = create_key(client, owner)
    assert (
        client.delete(f"/v1/users/me/api-keys/{created['id']}", headers=bearer(stranger)).status_code == 404
    )
    assert client.get("/v1/users/me", headers={"X-API-Key": created["key"]}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 129},
        {"name": "past", "expires_at": "2020-01-01T00:00:00Z"},
        {"name": "naive", "expires_at": "2030-01-01T00:00:00"},
    ],
)
def test_invalid_keys_are_422(client, body):
    tokens = signup(client)
    assert client.post("/v1/users/me/api-keys", headers=bearer(tokens), json=body).status_code == 422


def test_listing_is_paginated_newest_first(client):
    tokens = signup(client)
    for n in range(3):
        create_key(client, tokens, name=f"key {n}")
    page = client.get("/v1/users/me/api-keys?page_size=2", headers=bearer(tokens)).json()
    assert (page["total"], page["page_size"], len(page["items"])) == (3, 2, 2)
    assert client.get("/v1/users/me/api-keys?page=2&page_size=2", headers=bearer(tokens)).json()["items"]
