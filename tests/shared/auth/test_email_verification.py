"""Proving an account's address: the link in the welcome mail, resending it, and what proving the
mailbox does to an account whose address was never verified (pre-account takeover)."""

import pytest

from tests.accounts import PASSWORD, bearer, login, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def verify(client, token: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/email/verify", json={"token": token})


def me(client, tokens) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/v1/users/me", headers=bearer(tokens)).json()


def test_the_welcome_mail_carries_a_link_that_verifies_the_address_once(client, mailbox):
    account = signup(client, email="fresh@example.com")
    assert me(client, account)["email_verified"] is False
    [welcome] = mailbox.to("fresh@example.com")
    assert "/verify-email?token=" in welcome.get_body(("plain",)).get_content()
    token = mailbox.token_sent_to("fresh@example.com")
    verified = verify(client, token)
    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    assert me(client, account)["email_verified"] is True
    assert verify(client, token).status_code == 400  # single use


def test_a_resent_link_replaces_the_earlier_one(client, mailbox):
    account = signup(client, email="again@example.com")
    first = mailbox.token_sent_to("again@example.com")
    response = client.post("/v1/auth/email/verify/resend", headers=bearer(account))
    assert response.status_code == 202
    assert mailbox.to("again@example.com")[-1]["Subject"] == "验证您的邮箱 - AI导航"
    assert verify(client, first).status_code == 400
    assert verify(client, mailbox.token_sent_to("again@example.com")).status_code == 200
    assert client.post("/v1/auth/email/verify/resend", headers=bearer(account)).status_code == 409
    assert client.post("/v1/auth/email/verify/resend").status_code == 401


def test_unknown_links_are_400(client):
    assert verify(client, "x" * 43).status_code == 400


def test_a_squatters_credentials_die_when_the_mailbox_owner_signs_in(client, mailbox):
    """Someone registers the victim's address with their own password and an API key. The victim
    later signs in with a magic link: the squatter's password, session and key stop working."""
    squatter = signup(client, email="victim@example.com")
    key = client.post("/v1/users/me/api-keys", json={"name": "squat"}, headers=bearer(squatter)).json()["key"]
    client.post("/v1/auth/magic-link", json={"email": "victim@example.com"})
    victim = client.post(
        "/v1/auth/magic-link/verify", json={"token": mailbox.token_sent_to("victim@example.com")}
    ).json()
    assert me(client, victim)["email_verified"] is True
    assert me(client, victim)["has_password"] is False
    assert login(client, "victim@example.com", PASSWORD).status_code == 401
    assert client.get("/v1/users/me", headers=bearer(squatter)).status_code == 401
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401


def test_a_password_reset_of_an_unverified_account_also_voids_its_api_keys(client, mailbox):
    squatter = signup(client, email="reset-victim@example.com")
    key = client.post("/v1/users/me/api-keys", json={"name": "squat"}, headers=bearer(squatter)).json()["key"]
    client.post("/v1/auth/password/forgot", json={"email": "reset-victim@example.com"})
    token = mailbox.token_sent_to("reset-victim@example.com")
    reset = client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": "a brand new passphrase"}
    )
    assert reset.status_code == 204
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401
    owner = login(client, "reset-victim@example.com", "a brand new passphrase").json()
    assert me(client, owner)["email_verified"] is True


def test_a_verified_account_keeps_its_password_and_keys_on_a_magic_link_sign_in(client, mailbox):
    account = signup(client, email="settled@example.com")
    verify(client, mailbox.token_sent_to("settled@example.com"))
    key = client.post("/v1/users/me/api-keys", json={"name": "ci"}, headers=bearer(account)).json()["key"]
    client.post("/v1/auth/magic-link", json={"email": "settled@example.com"})
    client.post("/v1/auth/magic-link/verify", json={"token": mailbox.token_sent_to("settled@example.com")})
    assert login(client, "settled@example.com", PASSWORD).status_code == 200
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/v1/users/me", headers=bearer(account)).status_code == 200


def test_an_account_made_by_a_magic_link_is_verified(client, mailbox, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "AUTH_OPEN_SIGNUP", True)
    client.post("/v1/auth/magic-link", json={"email": "newcomer@example.com"})
    signed_in = client.post(
        "/v1/auth/magic-link/verify", json={"token": mailbox.token_sent_to("newcomer@example.com")}
    ).json()
    assert me(client, signed_in)["email_verified"] is True
