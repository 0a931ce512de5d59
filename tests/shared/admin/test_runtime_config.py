"""Runtime settings: a whitelist of settings an administrator may change without a deploy, typed; code
reads the effective value (the override, else the environment) through one cached function."""

from decimal import Decimal

import pytest

from shared.admin import runtime_config
from shared.config import settings
from tests.accounts import bearer, signup
from tests.admins import admin_with


@pytest.fixture
def operator(client, db):  # type: ignore[no-untyped-def]
    return admin_with(client, db, "config:manage")


def put(client, operator, key, value):  # type: ignore[no-untyped-def]
    return client.put(f"/v1/admin/config/{key}", headers=bearer(operator), json={"value": value})


def test_an_override_applies_to_the_code_that_reads_the_setting(client, operator, monkeypatch):
    # GIVEN the environment allows 20 API keys
    monkeypatch.setattr(settings, "MAX_API_KEYS_PER_USER", 20)
    member = signup(client)
    # WHEN an administrator lowers the limit to 1
    response = put(client, operator, "MAX_API_KEYS_PER_USER", 1)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "key": "MAX_API_KEYS_PER_USER",
        "type": "integer",
        "description": "active API keys per user",
        "value": 1,
        "default": 20,
        "overridden": True,
    }
    # THEN a second key is refused with the new limit
    assert client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "a"}).status_code == 201
    second = client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "b"})
    assert second.status_code == 409
    assert second.json()["detail"] == "At most 1 active API keys; revoke one first"
    # AND once the override is dropped, the environment's value applies again
    assert (
        client.delete("/v1/admin/config/MAX_API_KEYS_PER_USER", headers=bearer(operator)).status_code == 204
    )
    assert client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "b"}).status_code == 201
    reset = client.get("/v1/admin/config/MAX_API_KEYS_PER_USER", headers=bearer(operator)).json()
    assert reset["overridden"] is False and reset["value"] == 20


def test_opening_sign_up_at_run_time_lets_a_magic_link_create_an_account(
    client, mailbox, operator, monkeypatch
):
    monkeypatch.setattr(settings, "AUTH_OPEN_SIGNUP", False)
    assert put(client, operator, "AUTH_OPEN_SIGNUP", True).json()["value"] is True
    assert client.post("/v1/auth/magic-link", json={"email": "newcomer@example.com"}).status_code == 202
    token = mailbox.token_sent_to("newcomer@example.com")
    assert client.post("/v1/auth/magic-link/verify", json={"token": token}).status_code == 200


def test_the_signup_bonus_is_a_decimal_applied_to_new_accounts(client, operator):
    assert Decimal(put(client, operator, "SIGNUP_BONUS_CREDITS", "12.5").json()["value"]) == Decimal("12.5")
    member = signup(client)
    balances = client.get("/v1/users/me/credits", headers=bearer(member)).json()
    assert Decimal(balances["bonus_credits"]) == Decimal("12.5")


def test_an_unknown_key_is_404(client, operator):
    assert put(client, operator, "SECRET_KEY", "x").status_code == 404
    assert client.get("/v1/admin/config/DATABASE_URL", headers=bearer(operator)).status_code == 404
    assert client.delete("/v1/admin/config/NOPE", headers=bearer(operator)).status_code == 404


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MAX_RUNS_PER_DAY", "lots"),
        ("MAX_RUNS_PER_DAY", 0),
        ("MAX_RUNS_PER_DAY", 2.5),
        ("MAX_RUNS_PER_DAY", True),
        ("AUTH_OPEN_SIGNUP", "yes"),
        ("AUTH_OPEN_SIGNUP", 1),
        ("SIGNUP_BONUS_CREDITS", -1),
        ("SIGNUP_BONUS_CREDITS", True),
        ("SIGNUP_BONUS_CREDITS", None),
    ],
)
def test_a_wrongly_typed_value_is_422_and_stores_nothing(client, operator, key, value):
    response = put(client, operator, key, value)
    assert response.status_code == 422, response.text
    assert client.get(f"/v1/admin/config/{key}", headers=bearer(operator)).json()["overridden"] is False


def test_every_whitelisted_key_names_a_setting_and_is_listed(client, operator):
    listed = client.get("/v1/admin/config", headers=bearer(operator)).json()
    assert [entry["key"] for entry in listed] == list(runtime_config.WHITELIST)
    for entry in listed:
        assert entry["default"] == getattr(settings, entry["key"]) or entry["type"] == "decimal"


def test_overrides_are_cached_per_container_until_the_cache_expires(db, monkeypatch):
    # GIVEN an override read once (so cached)
    monkeypatch.setattr(settings, "RUNTIME_CONFIG_CACHE_SECONDS", 3600)
    runtime_config.put(db, name="MAX_RUNS_PER_DAY", value=7, actor_id=None)
    assert runtime_config.effective(db, "MAX_RUNS_PER_DAY") == 7
    # WHEN another container changes the row behind this one's back
    from sqlalchemy import update

    from shared.admin.models import SystemConfig

    db.execute(update(SystemConfig).where(SystemConfig.key == "MAX_RUNS_PER_DAY").values(value=9))
    # THEN this container keeps its copy until the cache time passes (here: set to zero)
    assert runtime_config.effective(db, "MAX_RUNS_PER_DAY") == 7
    monkeypatch.setattr(settings, "RUNTIME_CONFIG_CACHE_SECONDS", 0)
    assert runtime_config.effective(db, "MAX_RUNS_PER_DAY") == 9


def test_without_an_override_the_environment_decides(db, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RUNS_PER_DAY", 3)
    assert runtime_config.effective(db, "MAX_RUNS_PER_DAY") == 3
