"""/v1/users/me/secrets: named secrets for the caller's workflows, stored encrypted, never shown."""

import pytest
from sqlalchemy import select

from shared.config import settings
from shared.vault.models import UserSecret
from tests.accounts import bearer, signup

URL = "/v1/users/me/secrets"


def test_a_secret_is_created_replaced_listed_by_name_and_deleted(client, db):
    account = signup(client)
    created = client.put(f"{URL}/OPENAI_KEY", json={"value": "sk-live-abc"}, headers=bearer(account))
    assert created.status_code == 201 and created.json()["name"] == "OPENAI_KEY"
    replaced = client.put(f"{URL}/OPENAI_KEY", json={"value": "sk-live-def"}, headers=bearer(account))
    assert replaced.status_code == 200
    listed = client.get(URL, headers=bearer(account)).json()
    assert listed["total"] == 1 and [item["name"] for item in listed["items"]] == ["OPENAI_KEY"]
    assert "sk-live" not in str(listed) and "value" not in listed["items"][0]
    stored = db.scalar(select(UserSecret.value_encrypted).where(UserSecret.name == "OPENAI_KEY"))
    assert stored and "sk-live" not in stored  # Fernet at rest
    assert client.delete(f"{URL}/OPENAI_KEY", headers=bearer(account)).status_code == 204
    assert client.delete(f"{URL}/OPENAI_KEY", headers=bearer(account)).status_code == 404


def test_secrets_are_each_users_own(client):
    owner, other = signup(client), signup(client)
    client.put(f"{URL}/TOKEN", json={"value": "owner-only"}, headers=bearer(owner))
    assert client.get(URL, headers=bearer(other)).json()["total"] == 0
    assert client.delete(f"{URL}/TOKEN", headers=bearer(other)).status_code == 404
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("name", ["lower", "1LEADING_DIGIT", "WITH-DASH", "A" * 65])
def test_names_are_upper_case_identifiers(client, name):
    response = client.put(f"{URL}/{name}", json={"value": "x"}, headers=bearer(signup(client)))
    assert response.status_code == 422


@pytest.mark.parametrize("body", [{}, {"value": ""}, {"value": "x" * 4097}, {"value": "x", "extra": 1}])
def test_values_are_checked(client, body):
    assert client.put(f"{URL}/NAME", json=body, headers=bearer(signup(client))).status_code == 422


def test_the_number_of_secrets_is_capped_but_replacing_one_is_fine(client, monkeypatch):
    monkeypatch.setattr(settings, "MAX_SECRETS_PER_USER", 2)
    account = signup(client)
    for name in ("ONE", "TWO"):
        assert client.put(f"{URL}/{name}", json={"value": "v"}, headers=bearer(account)).status_code == 201
    assert client.put(f"{URL}/THREE", json={"value": "v"}, headers=bearer(account)).status_code == 409
    assert client.put(f"{URL}/ONE", json={"value": "w"}, headers=bearer(account)).status_code == 200
