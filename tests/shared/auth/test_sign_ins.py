"""A user's sign-ins (sessions) and sign-in history; the login log's OS, browser and device; single
sign-in accounts; the admin view of the login log."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from shared.auth.models import LoginLog
from shared.config import get_utc_now, settings
from shared.executions.maintenance import purge_expired
from shared.users.models import User
from tests.accounts import PASSWORD, bearer, signup
from tests.admins import admin_with

MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


def sign_in(client, email: str, user_agent: str, password: str = PASSWORD, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/auth/login",
        json={"email": email, "password": password},
        headers={"User-Agent": user_agent, **headers},
    )


def test_the_sign_in_history_shows_browser_os_and_device(client):
    # GIVEN a member who signs in from a Mac and fails once from an iPhone
    member = signup(client)
    email = member["user"]["email"]
    assert sign_in(client, email, MAC_CHROME).status_code == 200
    assert sign_in(client, email, IPHONE_SAFARI, password="not the password").status_code == 401
    # WHEN they read their sign-in history
    response = client.get("/v1/users/me/login-history", headers=bearer(member))
    # THEN each attempt shows what it came from, newest first
    assert response.status_code == 200
    failed, mac = response.json()["items"][:2]
    assert (failed["status"], failed["browser"], failed["os"], failed["device"]) == (
        "failure",
        "Mobile Safari 17",
        "iOS 17.0",
        "iPhone",
    )
    assert (mac["status"], mac["browser"], mac["os"], mac["device"]) == (
        "success",
        "Chrome 120",
        "Mac OS X 10.15",
        "Mac",
    )
    assert mac["city"] is None
    assert "identifier" not in mac and "user_agent" not in mac


def test_the_city_comes_only_from_the_header_the_operator_names(client, monkeypatch):
    member = signup(client)
    email = member["user"]["email"]
    sign_in(client, email, MAC_CHROME, **{"CloudFront-Viewer-City": "Hangzhou"})
    monkeypatch.setattr(settings, "LOGIN_CITY_HEADER", "CloudFront-Viewer-City")
    sign_in(client, email, MAC_CHROME, **{"CloudFront-Viewer-City": "Hangzhou"})
    items = client.get("/v1/users/me/login-history", headers=bearer(member)).json()["items"]
    assert [item["city"] for item in items[:2]] == ["Hangzhou", None]


def test_a_user_lists_their_sign_ins_and_ends_one(client):
    # GIVEN a member signed in on a Mac (registration) and on an iPhone
    member = signup(client)
    phone = sign_in(client, member["user"]["email"], IPHONE_SAFARI).json()
    # WHEN they list their sessions from the phone
    sessions = client.get("/v1/users/me/sessions", headers=bearer(phone))
    assert sessions.status_code == 200
    by_device = {item["device"]: item for item in sessions.json()}
    # THEN both are there, the phone's marked current, with device, IP and times
    assert len(sessions.json()) == 2
    assert by_device["iPhone"]["current"] is True
    assert by_device["iPhone"]["browser"] == "Mobile Safari 17"
    assert {"ip", "created_at", "last_used_at"} <= set(by_device["iPhone"])
    registration = next(item for item in sessions.json() if not item["current"])
    # WHEN they end the other one
    ended = client.delete(f"/v1/users/me/sessions/{registration['id']}", headers=bearer(phone))
    # THEN its access and refresh tokens stop at once, and the phone's go on
    assert ended.status_code == 204
    assert client.get("/v1/users/me", headers=bearer(member)).status_code == 401
    assert client.post("/v1/auth/refresh", json={"refresh_token": member["refresh_token"]}).status_code == 401
    assert client.get("/v1/users/me", headers=bearer(phone)).status_code == 200
    assert [item["device"] for item in client.get("/v1/users/me/sessions", headers=bearer(phone)).json()] == [
        "iPhone"
    ]


def test_a_session_keeps_its_sign_in_time_across_refreshes(client):
    member = signup(client)
    before = client.get("/v1/users/me/sessions", headers=bearer(member)).json()[0]
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": member["refresh_token"]}).json()
    after = client.get("/v1/users/me/sessions", headers=bearer(refreshed)).json()
    assert [item["id"] for item in after] == [before["id"]]
    assert after[0]["created_at"] == before["created_at"]
    assert after[0]["current"] is True


def test_another_users_session_or_an_ended_one_is_404(client):
    member, other = signup(client), signup(client)
    others_session = client.get("/v1/users/me/sessions", headers=bearer(other)).json()[0]["id"]
    assert client.delete(f"/v1/users/me/sessions/{others_session}", headers=bearer(member)).status_code == 404
    assert client.get("/v1/users/me", headers=bearer(other)).status_code == 200
    mine = client.get("/v1/users/me/sessions", headers=bearer(member)).json()[0]["id"]
    assert client.delete(f"/v1/users/me/sessions/{mine}", headers=bearer(member)).status_code == 204
    fresh = sign_in(client, member["user"]["email"], MAC_CHROME).json()
    assert client.delete(f"/v1/users/me/sessions/{mine}", headers=bearer(fresh)).status_code == 404


def test_a_single_sign_in_account_ends_its_other_sign_ins_when_it_signs_in(client):
    # GIVEN a member who turns multi-login off
    member = signup(client)
    changed = client.patch("/v1/users/me", headers=bearer(member), json={"is_multi_login": False})
    assert changed.json()["is_multi_login"] is False
    # WHEN they sign in elsewhere
    elsewhere = sign_in(client, member["user"]["email"], IPHONE_SAFARI).json()
    # THEN the first sign-in has ended and only the new one lives
    assert client.get("/v1/users/me", headers=bearer(member)).status_code == 401
    assert client.get("/v1/users/me", headers=bearer(elsewhere)).status_code == 200
    assert len(client.get("/v1/users/me/sessions", headers=bearer(elsewhere)).json()) == 1


def test_sign_ins_and_password_changes_are_dated(client):
    member = signup(client)
    me = client.get("/v1/users/me", headers=bearer(member)).json()
    assert me["last_login_at"] is not None
    assert (
        client.post(
            "/v1/users/me/password",
            headers=bearer(member),
            json={"current_password": PASSWORD, "new_password": "a brand new passphrase 42"},
        ).status_code
        == 204
    )


def test_the_profile_takes_a_nickname_and_an_https_avatar(client):
    member = signup(client)
    body = {"nickname": "Ada", "avatar_url": "https://cdn.example.com/ada.png"}
    changed = client.patch("/v1/users/me", headers=bearer(member), json=body)
    assert changed.status_code == 200
    assert (changed.json()["nickname"], changed.json()["avatar_url"]) == ("Ada", body["avatar_url"])
    for bad in ({"avatar_url": "http://cdn.example.com/a.png"}, {"nickname": ""}, {"nickname": "a\nb"}):
        assert client.patch("/v1/users/me", headers=bearer(member), json=bad).status_code == 422


def test_auditors_filter_the_login_log(client, db):
    auditor = admin_with(client, db, "audit:read")
    member = signup(client)
    email = member["user"]["email"]
    sign_in(client, email, MAC_CHROME, password="wrong password!")

    def logs(**params):  # type: ignore[no-untyped-def]
        response = client.get("/v1/admin/login-logs", headers=bearer(auditor), params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    failures = logs(user_id=member["user"]["id"], status="failure")
    assert [(row["identifier"], row["browser"]) for row in failures] == [(email, "Chrome 120")]
    assert logs(user_id=member["user"]["id"], ip="203.0.113.99") == []
    assert logs(user_id=member["user"]["id"], since=(get_utc_now() + timedelta(hours=1)).isoformat()) == []
    assert len(logs(user_id=member["user"]["id"])) == 2  # the registration and the failure
    assert client.get("/v1/admin/login-logs", headers=bearer(member)).status_code == 403


@pytest.mark.parametrize("params", [{"status": "maybe"}, {"user_id": "x"}, {"since": "yesterday"}])
def test_bad_login_log_filters_are_422(client, db, params):
    auditor = admin_with(client, db, "audit:read")
    assert client.get("/v1/admin/login-logs", headers=bearer(auditor), params=params).status_code == 422


def test_maintenance_purges_login_logs_past_their_retention(client, db, monkeypatch):
    member = signup(client)
    old = get_utc_now() - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS + 1)
    db.execute(update(LoginLog).where(LoginLog.user_id == member["user"]["id"]).values(created_at=old))
    purge_expired(db)
    assert client.get("/v1/users/me/login-history", headers=bearer(member)).json()["total"] == 0
    assert db.get(User, member["user"]["id"]) is not None
