"""`GET /v1/users/search`: other accounts by username or nickname, an email only on an exact match."""

import pytest

from shared import quotas
from shared.config import get_utc_now, settings
from tests.accounts import bearer, signup
from tests.admins import set_account


def search(client, tokens, q):  # type: ignore[no-untyped-def]
    return client.get("/v1/users/search", headers=bearer(tokens), params={"q": q})


def test_a_search_finds_usernames_and_nicknames_without_emails(client, db):
    caller = signup(client)
    ada = signup(client, username="ada_lovelace", email="ada@example.com")
    set_account(db, ada, nickname="Countess")
    found = search(client, caller, "lovelace")
    assert found.status_code == 200
    assert found.json()["items"] == [
        {
            "id": ada["user"]["id"],
            "username": "ada_lovelace",
            "nickname": "Countess",
            "avatar_url": None,
            "email": None,
        }
    ]
    assert [item["username"] for item in search(client, caller, "COUNT").json()["items"]] == ["ada_lovelace"]


def test_an_email_is_shown_only_when_searched_exactly(client):
    caller = signup(client)
    signup(client, username="grace", email="grace@example.com")
    assert search(client, caller, "grace@example.co").json()["items"] == []
    exact = search(client, caller, "Grace@Example.com").json()["items"]
    assert [(item["username"], item["email"]) for item in exact] == [("grace", "grace@example.com")]
    partial = search(client, caller, "grac").json()["items"]
    assert [(item["username"], item["email"]) for item in partial] == [("grace", None)]


def test_disabled_accounts_are_not_found(client, db):
    caller = signup(client)
    gone = signup(client, username="ghost_user")
    set_account(db, gone, is_active=False)
    assert search(client, caller, "ghost").json()["items"] == []


@pytest.mark.parametrize("q", ["a", "x" * 101, ""])
def test_a_query_out_of_bounds_is_422(client, q):
    assert search(client, signup(client), q).status_code == 422


def test_searches_are_rate_limited_per_user(client, monkeypatch):
    # a fixed clock: the window is the clock's minute, which must not turn during the test
    frozen = get_utc_now().replace(second=30, microsecond=0)
    monkeypatch.setattr(quotas, "get_utc_now", lambda: frozen)
    monkeypatch.setattr(settings, "USER_SEARCH_RATE_LIMIT_PER_MINUTE", 2)
    caller, other = signup(client), signup(client)
    assert [search(client, caller, "member").status_code for _ in range(2)] == [200, 200]
    limited = search(client, caller, "member")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "31"
    assert search(client, other, "member").status_code == 200


def test_searching_needs_an_account(client):
    assert client.get("/v1/users/search", params={"q": "ada"}).status_code == 401
