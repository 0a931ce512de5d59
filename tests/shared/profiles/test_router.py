"""/v1/users/me/profile and /v1/users/me/settings: the caller's preferences, one row each, made with
their defaults on first read; a PATCH replaces the fields it names."""

import pytest
from sqlalchemy import func, select

from shared.profiles.models import UserProfile, UserSettings
from shared.profiles.schemas import SETTINGS_JSON_MAX_BYTES
from tests.accounts import bearer, signup

PROFILE = "/v1/users/me/profile"
SETTINGS = "/v1/users/me/settings"

pytestmark = pytest.mark.usefixtures("mailbox")


def patch(client, tokens, url: str, body):  # type: ignore[no-untyped-def]
    return client.patch(url, headers=bearer(tokens), json=body)


# --- profile -------------------------------------------------------------------------------------


def test_the_profile_is_made_with_its_defaults_on_first_read(client, db):
    # GIVEN a new account, which has no profile row yet
    tokens = signup(client)
    user_id = tokens["user"]["id"]
    assert db.scalar(select(func.count()).where(UserProfile.user_id == user_id)) == 0
    # WHEN it reads its profile, twice
    first = client.get(PROFILE, headers=bearer(tokens))
    second = client.get(PROFILE, headers=bearer(tokens))
    # THEN one row holds the defaults
    assert first.status_code == 200 and second.json() == first.json()
    body = first.json()
    assert (body["timezone"], body["email_notifications"]) == ("UTC", True)
    assert (body["social_accounts"], body["preferred_airlines"], body["frequent_flyer_numbers"]) == (
        {},
        [],
        {},
    )
    assert body["preferred_cabin_class"] is None and body["linkedin_url"] is None
    assert db.scalar(select(func.count()).where(UserProfile.user_id == user_id)) == 1


def test_every_profile_field_is_changed_and_null_clears_links_and_cabin_class(client):
    tokens = signup(client)
    changes = {
        "timezone": "Asia/Shanghai",
        "email_notifications": False,
        "linkedin_url": "https://www.linkedin.com/in/ada",
        "github_url": "https://github.com/ada",
        "portfolio_url": "http://ada.example/work",
        "resume_url": "https://ada.example/cv.pdf",
        "social_accounts": {"x": "@ada", "weibo": "https://weibo.com/ada"},
        "preferred_airlines": ["Air China", "Lufthansa"],
        "preferred_cabin_class": "premium_economy",
        "frequent_flyer_numbers": {"CA": "123456789"},
    }
    response = patch(client, tokens, PROFILE, changes)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in changes} == changes
    cleared = patch(client, tokens, PROFILE, {"linkedin_url": None, "preferred_cabin_class": None})
    assert (cleared.json()["linkedin_url"], cleared.json()["preferred_cabin_class"]) == (None, None)
    assert cleared.json()["github_url"] == "https://github.com/ada"  # untouched
    assert client.get(PROFILE, headers=bearer(tokens)).json() == cleared.json()


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "utc", "localtime", "../etc/passwd", "", "A" * 65])
def test_an_unknown_timezone_is_422_without_echoing_it(client, timezone):
    response = patch(client, signup(client), PROFILE, {"timezone": timezone})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "timezone"]
    if timezone:
        assert timezone not in response.text


@pytest.mark.parametrize(
    "changes",
    [
        {"linkedin_url": "javascript:alert(1)"},
        {"github_url": "ftp://github.com/ada"},
        {"portfolio_url": "ada.example"},
        {"resume_url": "https://ada.example/" + "x" * 500},
        {"resume_url": "https://ada.example/a b"},
        {"social_accounts": {f"network{i}": "@ada" for i in range(21)}},
        {"social_accounts": {"x": 42}},
        {"social_accounts": ["@ada"]},
        {"preferred_airlines": ["Air China"] * 21},
        {"preferred_airlines": [""]},
        {"preferred_cabin_class": "steerage"},
        {"frequent_flyer_numbers": {f"A{i}": "1" for i in range(21)}},
        {"timezone": None},
        {"email_notifications": None},
        {"social_accounts": None},
        {"name": "Ada"},
        {"user_id": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_invalid_null_or_unknown_profile_fields_are_422(client, changes):
    tokens = signup(client)
    assert patch(client, tokens, PROFILE, changes).status_code == 422
    assert client.get(PROFILE, headers=bearer(tokens)).json()["timezone"] == "UTC"


def test_each_account_has_its_own_profile(client):
    ada, bob = signup(client), signup(client)
    patch(client, ada, PROFILE, {"timezone": "Europe/London"})
    assert client.get(PROFILE, headers=bearer(bob)).json()["timezone"] == "UTC"
    assert client.get(PROFILE).status_code == 401
    assert client.patch(PROFILE, json={"timezone": "UTC"}).status_code == 401


# --- settings ------------------------------------------------------------------------------------


def test_the_settings_are_made_with_their_defaults_on_first_read(client, db):
    tokens = signup(client)
    response = client.get(SETTINGS, headers=bearer(tokens))
    assert response.status_code == 200
    body = response.json()
    assert body["default_llm_provider"] is None and body["theme"] == "system"
    assert (body["sidebar_collapsed"], body["onboarding_completed"]) == (False, False)
    assert (body["tours_completed"], body["settings_json"]) == ({}, {})
    assert db.scalar(select(func.count()).where(UserSettings.user_id == tokens["user"]["id"])) == 1


def test_every_setting_is_changed_and_a_map_is_replaced_whole(client):
    tokens = signup(client)
    changes = {
        "default_llm_provider": "deepseek",
        "theme": "dark",
        "sidebar_collapsed": True,
        "onboarding_completed": True,
        "tours_completed": {"editor": True, "runs": False},
        "settings_json": {"editor": {"minimap": False}, "recent": ["a", "b"]},
    }
    response = patch(client, tokens, SETTINGS, changes)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in changes} == changes
    replaced = patch(
        client, tokens, SETTINGS, {"settings_json": {"lang": "zh"}, "default_llm_provider": None}
    )
    assert replaced.json()["settings_json"] == {"lang": "zh"}
    assert replaced.json()["default_llm_provider"] is None
    assert replaced.json()["tours_completed"] == {"editor": True, "runs": False}


@pytest.mark.parametrize(
    "changes",
    [
        {"theme": "neon"},
        {"default_llm_provider": "acme-ai"},
        {"tours_completed": {f"tour{i}": True for i in range(101)}},
        {"tours_completed": {"editor": "done"}},
        {"settings_json": ["not", "an", "object"]},
        {"settings_json": None},
        {"theme": None},
        {"api_keys_encrypted": {}},
    ],
)
def test_invalid_null_or_unknown_settings_are_422(client, changes):
    tokens = signup(client)
    assert patch(client, tokens, SETTINGS, changes).status_code == 422
    assert client.get(SETTINGS, headers=bearer(tokens)).json()["theme"] == "system"


def test_settings_json_over_16_kb_is_413_and_changes_nothing(client):
    # GIVEN stored settings
    tokens = signup(client)
    patch(client, tokens, SETTINGS, {"settings_json": {"kept": True}})
    # WHEN a settings_json of 16 KB and one byte is sent (with another change)
    filler = "x" * (SETTINGS_JSON_MAX_BYTES - len('{"a":""}') + 1)
    response = patch(client, tokens, SETTINGS, {"theme": "dark", "settings_json": {"a": filler}})
    # THEN it is 413 and nothing changed
    assert response.status_code == 413
    assert str(SETTINGS_JSON_MAX_BYTES) in response.json()["detail"]
    body = client.get(SETTINGS, headers=bearer(tokens)).json()
    assert (body["settings_json"], body["theme"]) == ({"kept": True}, "system")
    # and exactly 16 KB is kept
    exact = patch(client, tokens, SETTINGS, {"settings_json": {"a": filler[:-1]}})
    assert exact.status_code == 200


def test_settings_json_is_measured_in_utf8_bytes(client):
    tokens = signup(client)
    # 6,000 Chinese characters are 18,000 bytes in UTF-8
    response = patch(client, tokens, SETTINGS, {"settings_json": {"note": "设" * 6000}})
    assert response.status_code == 413
