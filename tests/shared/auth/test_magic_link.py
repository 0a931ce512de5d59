"""POST /v1/auth/magic-link and /magic-link/verify."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.auth.models import OneTimeToken
from shared.config import settings
from shared.users.models import User
from tests.accounts import bearer, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def ask(client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/magic-link", json={"email": email})


def verify(client, token: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/magic-link/verify", json={"token": token})


def test_a_magic_link_signs_a_known_user_in(client, mailbox):
    account = signup(client, email="linky@example.com")
    assert ask(client, "linky@example.com").status_code == 202
    mail = mailbox.to("linky@example.com")[-1]
    assert mail["Subject"] == "您的 AI导航 登录链接"
    assert "15 分钟" in mail.get_body(("plain",)).get_content()
    response = verify(client, mailbox.token_sent_to("linky@example.com"))
    assert response.status_code == 200
    assert response.json()["user"]["id"] == account["user"]["id"]
    assert client.get("/v1/auth/me", headers=bearer(response.json())).status_code == 200


def test_a_magic_link_works_once(client, mailbox):
    signup(client, email="single@example.com")
    ask(client, "single@example.com")
    token = mailbox.token_sent_to("single@example.com")
    assert verify(client, token).status_code == 200
    assert verify(client, token).status_code == 400


def test_a_magic_link_expires_after_fifteen_minutes(client, mailbox, db):
    signup(client, email="slow@example.com")
    ask(client, "slow@example.com")
    stored = db.scalar(
        select(OneTimeToken).where(
            OneTimeToken.email == "slow@example.com", OneTimeToken.purpose == "magic_link"
        )
    )
    # created_at is the transaction's start (the test's), so allow the test's own running time
    assert timedelta(minutes=15) <= stored.expires_at - stored.created_at < timedelta(minutes=16)
    db.execute(update(OneTimeToken).values(expires_at=OneTimeToken.created_at - timedelta(seconds=1)))
    assert verify(client, mailbox.token_sent_to("slow@example.com")).status_code == 400


def test_an_unknown_address_gets_nothing_when_sign_up_is_closed(client, mailbox, db):
    assert settings.AUTH_OPEN_SIGNUP is False
    response = ask(client, "stranger@example.com")
    assert response.status_code == 202
    assert mailbox.to("stranger@example.com") == []
    assert db.scalar(select(User).where(User.email == "stranger@example.com")) is None


def test_an_unknown_address_gets_an_account_when_sign_up_is_open(client, mailbox, db, monkeypatch):
    monkeypatch.setattr(settings, "AUTH_OPEN_SIGNUP", True)
    ask(client, "Newbie.Person+ai@example.com")
    assert (
        db.scalar(select(User).where(User.email == "newbie.person+ai@example.com")) is None
    )  # not before verify
    response = verify(client, mailbox.token_sent_to("newbie.person+ai@example.com"))
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["email"] == "newbie.person+ai@example.com"
    assert user["username"] == "newbiepersonai"  # from the (lower-cased) local part
    assert user["has_password"] is False
    assert any(m["Subject"] == "欢迎加入 AI导航！" for m in mailbox.to("newbie.person+ai@example.com"))


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client):
    signup(client, email="exists@example.com")
    assert ask(client, "exists@example.com").json() == ask(client, "ghost@example.com").json()


def test_an_inactive_account_gets_no_link(client, mailbox, db):
    signup(client, email="dormant@example.com")
    db.execute(update(User).where(User.email == "dormant@example.com").values(is_active=False))
    ask(client, "dormant@example.com")
    assert [m["Subject"] for m in mailbox.to("dormant@example.com")] == ["欢迎加入 AI导航！"]
