"""POST /v1/auth/password/forgot and /password/reset."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.auth import service as auth_service
from shared.auth.models import OneTimeToken
from shared.auth.security import hash_token
from tests.accounts import PASSWORD, bearer, login, signup

pytestmark = pytest.mark.usefixtures("mailbox")

NEW_PASSWORD = "a brand new passphrase"


def forgot(client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/password/forgot", json={"email": email})


def reset(client, token: str, new_password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/password/reset", json={"token": token, "new_password": new_password})


def test_forgot_mails_a_one_hour_link_to_the_frontend(client, mailbox):
    signup(client, email="forgetful@example.com")
    response = forgot(client, "forgetful@example.com")
    assert response.status_code == 202
    [mail] = [m for m in mailbox.to("forgetful@example.com") if m["Subject"] == "重置您的密码 - AI导航"]
    text = mail.get_body(("plain",)).get_content()
    assert "https://app.ainav.test/reset-password?token=" in text
    assert "1 小时" in text


def test_forgot_mails_the_configured_lifetime_and_the_link_lives_that_long(client, db, mailbox, monkeypatch):
    # GIVEN reset links that live 30 minutes instead of the default hour
    from shared.config import settings

    monkeypatch.setattr(settings, "PASSWORD_RESET_EXPIRE_MINUTES", 30)
    signup(client, email="hurried@example.com")
    # WHEN the owner asks for one
    assert forgot(client, "hurried@example.com").status_code == 202
    # THEN the mail says 30 minutes, and the token expires then
    [mail] = [m for m in mailbox.to("hurried@example.com") if m["Subject"] == "重置您的密码 - AI导航"]
    text = mail.get_body(("plain",)).get_content()
    assert "30 分钟后失效" in text and "小时" not in text
    token = mailbox.token_sent_to("hurried@example.com")
    record = db.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(token)))
    assert timedelta(minutes=30) <= record.expires_at - record.created_at < timedelta(minutes=31)


def test_forgot_answers_the_same_for_unknown_addresses_and_mails_nothing(client, mailbox):
    signup(client, email="known@example.com")
    known = forgot(client, "known@example.com")
    unknown = forgot(client, "unknown@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert mailbox.to("unknown@example.com") == []


def test_forgot_takes_the_same_minimum_time_either_way(client, monkeypatch):
    # GIVEN the padding that equalises timing is observed
    padded = []
    real_at_least = auth_service.at_least

    def observing_at_least(milliseconds, **kwargs):  # type: ignore[no-untyped-def]
        padded.append(milliseconds)
        return real_at_least(milliseconds, **kwargs)

    monkeypatch.setattr(auth_service, "at_least", observing_at_least)
    monkeypatch.setattr(auth_service.settings, "AUTH_MIN_RESPONSE_MS", 1)
    signup(client, email="timed@example.com")
    # WHEN a known and an unknown address ask
    forgot(client, "timed@example.com")
    forgot(client, "untimed@example.com")
    # THEN both answers went through the same padding
    assert padded == [1, 1]


def test_at_least_sleeps_only_for_what_is_left():
    slept = []
    ticks = iter([10.0, 10.1])
    with auth_service.at_least(400, sleep=slept.append, clock=lambda: next(ticks)):
        pass
    assert slept == [pytest.approx(0.3)]
    ticks = iter([10.0, 10.5])
    with auth_service.at_least(400, sleep=slept.append, clock=lambda: next(ticks)):
        pass
    assert len(slept) == 1  # already slower than the floor: no extra wait


def test_reset_sets_the_password_and_signs_out_everywhere(client, mailbox):
    tokens = signup(client, email="resetme@example.com")
    forgot(client, "resetme@example.com")
    response = reset(client, mailbox.token_sent_to("resetme@example.com"))
    assert response.status_code == 204
    assert client.get("/v1/auth/me", headers=bearer(tokens)).status_code == 401
    assert client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert login(client, "resetme@example.com", PASSWORD).status_code == 401
    assert login(client, "resetme@example.com", NEW_PASSWORD).status_code == 200


def test_a_reset_token_works_once(client, mailbox):
    signup(client, email="once@example.com")
    forgot(client, "once@example.com")
    token = mailbox.token_sent_to("once@example.com")
    assert reset(client, token).status_code == 204
    again = reset(client, token, "yet another passphrase")
    assert again.status_code == 400
    assert "invalid, already used or expired" in again.json()["detail"]


def test_a_new_request_voids_the_previous_token(client, mailbox):
    signup(client, email="twice.asked@example.com")
    forgot(client, "twice.asked@example.com")
    first = mailbox.token_sent_to("twice.asked@example.com")
    forgot(client, "twice.asked@example.com")
    second = mailbox.token_sent_to("twice.asked@example.com")
    assert reset(client, first).status_code == 400
    assert reset(client, second).status_code == 204


def test_an_expired_reset_token_is_refused(client, mailbox, db):
    signup(client, email="late@example.com")
    forgot(client, "late@example.com")
    token = mailbox.token_sent_to("late@example.com")
    db.execute(
        update(OneTimeToken)
        .where(OneTimeToken.token_hash == hash_token(token))
        .values(expires_at=OneTimeToken.created_at - timedelta(seconds=1))
    )
    assert reset(client, token).status_code == 400


def test_the_token_is_stored_only_as_a_hash(client, mailbox, db):
    signup(client, email="hashed.token@example.com")
    forgot(client, "hashed.token@example.com")
    token = mailbox.token_sent_to("hashed.token@example.com")
    stored = db.scalars(select(OneTimeToken.token_hash)).all()
    assert hash_token(token) in stored
    assert token not in stored


def test_a_weak_new_password_is_422(client, mailbox):
    signup(client, email="weak@example.com")
    forgot(client, "weak@example.com")
    assert reset(client, mailbox.token_sent_to("weak@example.com"), "password").status_code == 422


def test_an_unknown_token_is_400(client):
    assert reset(client, "u" * 43).status_code == 400
