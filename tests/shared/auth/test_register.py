"""POST /v1/auth/register."""

import pytest
from sqlalchemy import select

from shared.users.models import User
from tests.accounts import PASSWORD, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def test_register_returns_the_user_and_a_token_pair(client):
    response = client.post(
        "/v1/auth/register", json={"email": "Alice@Example.com", "username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "alice@example.com"  # addresses are stored lower-cased
    assert body["user"]["username"] == "alice"
    assert body["token_type"] == "bearer"
    assert body["access_token"] and body["refresh_token"]
    assert body["expires_in"] == 3600
    assert "hashed_password" not in body["user"] and PASSWORD not in response.text


def test_register_sends_the_welcome_mail(client, mailbox):
    signup(client, email="welcome@example.com", username="welcome_me")
    [mail] = mailbox.to("welcome@example.com")
    assert mail["Subject"] == "欢迎加入 AI导航！"
    assert "welcome_me" in mail.get_body(("html",)).get_content()


def test_the_password_is_stored_as_an_argon2_hash(client, db):
    signup(client, email="hashed@example.com")
    stored = db.scalar(select(User.hashed_password).where(User.email == "hashed@example.com"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_taken_email_is_409(client):
    signup(client, email="twice@example.com")
    response = client.post(
        "/v1/auth/register",
        json={"email": "TWICE@example.com", "username": "other_name", "password": PASSWORD},
    )
    assert response.status_code == 409
    assert "email" in response.json()["detail"]


def test_a_taken_username_is_409_whatever_its_case(client):
    signup(client, username="Taken_Name")
    response = client.post(
        "/v1/auth/register",
        json={"email": "fresh@example.com", "username": "taken_name", "password": PASSWORD},
    )
    assert response.status_code == 409
    assert "username" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("username", "ab"),
        ("username", "x" * 51),
        ("username", "has space"),
        ("username", "<script>"),
        ("username", "名字"),
        ("password", "short1"),
        ("password", "x" * 129),
    ],
)
def test_malformed_fields_are_422(client, field, value):
    body = {"email": "valid@example.com", "username": "valid_name", "password": PASSWORD, field: value}
    response = client.post("/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("password", ["password123", "12345678", "Qwertyuiop", "iloveyou"])
def test_common_passwords_are_refused_with_a_message(client, password):
    body = {"email": "valid@example.com", "username": "valid_name", "password": password}
    response = client.post("/v1/auth/register", json=body)
    assert response.status_code == 422
    assert "too common" in response.json()["detail"][0]["msg"]
    assert password not in response.text


def test_unknown_fields_are_refused(client):
    body = {
        "email": "valid@example.com",
        "username": "valid_name",
        "password": PASSWORD,
        "is_superuser": True,
    }
    assert client.post("/v1/auth/register", json=body).status_code == 422
