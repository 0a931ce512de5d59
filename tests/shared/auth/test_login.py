"""POST /v1/auth/login, the access token's rules, and the login log."""

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update

from shared.auth.models import LoginLog
from shared.config import get_utc_now, settings
from shared.users.models import User
from tests.accounts import PASSWORD, bearer, login, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def test_login_by_email_or_username(client):
    account = signup(client, email="carol@example.com", username="Carol_C")
    assert login(client, "CAROL@example.com").status_code == 200
    by_name = login(client, "carol_c", field="username")
    assert by_name.status_code == 200
    assert by_name.json()["user"]["id"] == account["user"]["id"]


def test_the_access_token_is_hs256_with_the_required_claims(client):
    tokens = signup(client)
    header = jwt.get_unverified_header(tokens["access_token"])
    claims = jwt.decode(tokens["access_token"], settings.SECRET_KEY, algorithms=["HS256"])
    assert header["alg"] == "HS256"
    assert {"sub", "exp", "iat", "jti", "type"} <= set(claims)
    assert claims["type"] == "access"
    assert claims["sub"] == tokens["user"]["id"]
    assert claims["exp"] - claims["iat"] == 60 * 60


def test_a_wrong_password_and_an_unknown_account_get_the_same_401(client):
    signup(client, email="dave@example.com")
    wrong = login(client, "dave@example.com", "not the password")
    unknown = login(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Incorrect email/username or password"}


def test_login_needs_an_email_or_a_username(client):
    assert client.post("/v1/auth/login", json={"password": PASSWORD}).status_code == 422


def test_an_inactive_user_cannot_log_in(client, db):
    signup(client, email="gone@example.com")
    db.execute(update(User).where(User.email == "gone@example.com").values(is_active=False))
    response = login(client, "gone@example.com")
    assert response.status_code == 403
    assert response.json() == {"detail": "This account is disabled"}


def test_every_attempt_is_in_the_login_log(client, db):
    account = signup(client, email="logged@example.com")
    login(client, "logged@example.com", "wrong password")
    login(client, "logged@example.com")
    rows = db.scalars(
        select(LoginLog).where(LoginLog.identifier == "logged@example.com").order_by(LoginLog.created_at)
    ).all()
    assert [(r.method, r.status) for r in rows] == [
        ("register", "success"),
        ("password", "failure"),
        ("password", "success"),
    ]
    assert all(str(r.user_id) == account["user"]["id"] for r in rows)
    assert rows[1].message == "wrong password"
    assert rows[1].ip == "testclient"


def test_me_returns_the_signed_in_user(client):
    tokens = signup(client, username="me_myself")
    response = client.get("/v1/auth/me", headers=bearer(tokens))
    assert response.status_code == 200
    assert response.json()["username"] == "me_myself"


def forge(claims: dict, key: str = settings.SECRET_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def valid_claims(tokens: dict) -> dict:
    return jwt.decode(tokens["access_token"], settings.SECRET_KEY, algorithms=["HS256"])


def test_a_token_signed_with_another_key_is_401(client):
    claims = valid_claims(signup(client))
    response = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {forge(claims, 'x' * 40)}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unsigned_alg_none_token_is_401(client):
    claims = valid_claims(signup(client))

    def segment(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."
    assert client.get("/v1/auth/me", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401


def test_an_expired_token_is_401(client):
    claims = valid_claims(signup(client))
    past = get_utc_now() - timedelta(hours=2)
    claims.update(iat=past, exp=past + timedelta(minutes=60))
    response = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {forge(claims)}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Access token expired"}


@pytest.mark.parametrize("token_type", ["refresh", "reset", None])
def test_a_token_of_another_type_is_401(client, token_type):
    claims = valid_claims(signup(client))
    claims["type"] = token_type
    assert client.get("/v1/auth/me", headers={"Authorization": f"Bearer {forge(claims)}"}).status_code == 401


def test_a_token_for_a_missing_user_is_401(client):
    claims = valid_claims(signup(client))
    claims["sub"] = str(uuid.uuid4())
    assert client.get("/v1/auth/me", headers={"Authorization": f"Bearer {forge(claims)}"}).status_code == 401


def test_a_refresh_token_is_not_an_access_token(client):
    tokens = signup(client)
    response = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 401


def test_an_inactive_users_tokens_stop_working(client, db):
    tokens = signup(client, email="frozen@example.com")
    db.execute(update(User).where(User.email == "frozen@example.com").values(is_active=False))
    assert client.get("/v1/auth/me", headers=bearer(tokens)).status_code == 401


def test_no_credentials_is_401(client):
    response = client.get("/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


# "correct horse battery" (tests.accounts.PASSWORD) as passlib's bcrypt stored it in the seed systems
IMPORTED_BCRYPT_HASH = "$2b$04$ce9sCHN9hNeALTcmqMiP5.Rha5A.L.C9B5dag2D5oxJOAJDtDswVW"


@pytest.mark.parametrize("prefix", ["$2b$", "$2a$", "$2y$"])
def test_an_imported_bcrypt_account_signs_in_and_its_hash_becomes_argon2id(client, db, prefix):
    # GIVEN an account imported with a bcrypt hash
    account = signup(client, email="imported@example.com")
    legacy = prefix + IMPORTED_BCRYPT_HASH.removeprefix("$2b$")
    db.execute(update(User).where(User.id == account["user"]["id"]).values(hashed_password=legacy))
    # WHEN its owner signs in with their password
    response = login(client, "imported@example.com")
    # THEN they are in, the stored hash is now argon2id, and the password still works against it
    assert response.status_code == 200, response.text
    stored = db.scalar(select(User.hashed_password).where(User.id == account["user"]["id"]))
    assert stored.startswith("$argon2id$")
    assert login(client, "imported@example.com").status_code == 200


def test_a_wrong_password_against_a_bcrypt_hash_is_401_and_keeps_the_hash(client, db):
    account = signup(client, email="imported-wrong@example.com")
    db.execute(
        update(User).where(User.id == account["user"]["id"]).values(hashed_password=IMPORTED_BCRYPT_HASH)
    )
    response = login(client, "imported-wrong@example.com", password="not the password")
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email/username or password"}
    stored = db.scalar(select(User.hashed_password).where(User.id == account["user"]["id"]))
    assert stored == IMPORTED_BCRYPT_HASH


def test_an_argon2_hash_with_older_parameters_is_upgraded_at_sign_in(client, db):
    from argon2 import PasswordHasher

    # GIVEN a hash made before the hashing parameters changed
    account = signup(client, email="older-params@example.com")
    older = PasswordHasher(time_cost=1, memory_cost=512).hash(PASSWORD)
    db.execute(update(User).where(User.id == account["user"]["id"]).values(hashed_password=older))
    # WHEN its owner signs in
    assert login(client, "older-params@example.com").status_code == 200
    # THEN the stored hash carries today's parameters
    stored = db.scalar(select(User.hashed_password).where(User.id == account["user"]["id"]))
    assert stored != older and stored.startswith("$argon2id$")
    assert f"m={settings.PASSWORD_HASH_MEMORY_KIB},t={settings.PASSWORD_HASH_TIME_COST}," in stored
