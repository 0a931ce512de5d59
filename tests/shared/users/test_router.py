"""/v1/users/me: profile, password change."""

import pytest

from tests.accounts import PASSWORD, bearer, login, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def test_read_me(client):
    tokens = signup(client, username="reader")
    body = client.get("/v1/users/me", headers=bearer(tokens)).json()
    assert body["username"] == "reader"
    assert body["has_password"] is True
    assert "hashed_password" not in body


def test_me_needs_credentials(client):
    assert client.get("/v1/users/me").status_code == 401
    assert client.patch("/v1/users/me", json={"username": "x_y_z"}).status_code == 401


def test_update_username_and_phone(client):
    tokens = signup(client)
    response = client.patch(
        "/v1/users/me", headers=bearer(tokens), json={"username": "renamed", "phone": "+8613800000000"}
    )
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["phone"]) == ("renamed", "+8613800000000")
    assert client.get("/v1/users/me", headers=bearer(tokens)).json()["username"] == "renamed"


def test_a_nickname_and_avatar_are_set_and_cleared(client):
    tokens = signup(client)
    response = client.patch(
        "/v1/users/me",
        headers=bearer(tokens),
        json={"nickname": "  Ada L.  ", "avatar_url": "https://cdn.example/ada.png"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["nickname"], response.json()["avatar_url"]) == (
        "Ada L.",
        "https://cdn.example/ada.png",
    )
    assert client.get("/v1/users/me", headers=bearer(tokens)).json()["nickname"] == "Ada L."
    cleared = client.patch(
        "/v1/users/me", headers=bearer(tokens), json={"nickname": None, "avatar_url": None}
    )
    assert (cleared.json()["nickname"], cleared.json()["avatar_url"]) == (None, None)
    assert cleared.json()["username"] == tokens["user"]["username"]


@pytest.mark.parametrize(
    "changes",
    [
        {"nickname": ""},
        {"nickname": "n" * 65},
        {"avatar_url": "javascript:alert(1)"},
        {"avatar_url": "data:image/png;base64,AAAA"},
        {"avatar_url": "//cdn.example/ada.png"},
        {"avatar_url": "https://cdn.example/" + "a" * 500},
        {"avatar_url": "https://cdn.example/a\nb"},
    ],
)
def test_an_invalid_nickname_or_avatar_is_422(client, changes):
    assert client.patch("/v1/users/me", headers=bearer(signup(client)), json=changes).status_code == 422


def test_changing_only_the_case_of_ones_own_username_is_allowed(client):
    tokens = signup(client, username="casey")
    assert client.patch("/v1/users/me", headers=bearer(tokens), json={"username": "Casey"}).status_code == 200


def test_a_taken_username_or_phone_is_409(client):
    signup(client, username="first_one")
    other = signup(client)
    client.patch("/v1/users/me", headers=bearer(other), json={"phone": "13900000000"})
    me = signup(client)
    assert client.patch("/v1/users/me", headers=bearer(me), json={"username": "FIRST_ONE"}).status_code == 409
    assert client.patch("/v1/users/me", headers=bearer(me), json={"phone": "13900000000"}).status_code == 409


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "a"},
        {"username": "bad name"},
        {"phone": "call me"},
        {"phone": "+" + "1" * 20},
        {"email": "new@example.com"},
    ],
)
def test_invalid_or_unknown_fields_are_422(client, changes):
    tokens = signup(client)
    assert client.patch("/v1/users/me", headers=bearer(tokens), json=changes).status_code == 422


def change_password(client, tokens, current: str, new: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/users/me/password",
        headers=bearer(tokens),
        json={"current_password": current, "new_password": new},
    )


def test_change_password_keeps_this_sign_in_and_ends_the_others(client):
    here = signup(client, email="mover@example.com")
    elsewhere = login(client, "mover@example.com").json()
    assert change_password(client, here, PASSWORD, "a fresh strong passphrase").status_code == 204
    assert client.get("/v1/users/me", headers=bearer(here)).status_code == 200
    assert client.get("/v1/users/me", headers=bearer(elsewhere)).status_code == 401
    assert login(client, "mover@example.com", PASSWORD).status_code == 401
    assert login(client, "mover@example.com", "a fresh strong passphrase").status_code == 200


def test_change_password_needs_the_current_one(client):
    tokens = signup(client)
    response = change_password(client, tokens, "not my password", "a fresh strong passphrase")
    assert response.status_code == 400
    assert response.json() == {"detail": "The current password is incorrect"}


def test_change_password_refuses_a_weak_new_one(client):
    tokens = signup(client)
    assert change_password(client, tokens, PASSWORD, "qwerty123").status_code == 422
