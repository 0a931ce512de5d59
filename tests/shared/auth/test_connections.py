"""Linked sign-in providers: listed, and unlinked while another way to sign in remains."""

from tests.accounts import bearer, signup
from tests.admins import set_account


def link(db, tokens, **providers) -> None:  # type: ignore[no-untyped-def]
    set_account(db, tokens, **providers)


def test_a_user_lists_their_providers_and_unlinks_one(client, db):
    member = signup(client)
    link(db, member, github_id="4242")
    listed = client.get("/v1/users/me/connections", headers=bearer(member)).json()
    assert listed == [{"provider": "github", "linked": True}, {"provider": "wechat", "linked": False}]
    assert client.delete("/v1/users/me/connections/github", headers=bearer(member)).status_code == 204
    assert client.get("/v1/users/me", headers=bearer(member)).json()["github_linked"] is False


def test_unlinking_the_only_way_to_sign_in_is_409(client, db):
    # GIVEN a WeChat account: no password, a placeholder address that gets no magic links
    member = signup(client)
    link(db, member, wechat_id="wx-1", hashed_password=None, email="wechat-wx-1@users.ainav.invalid")
    # WHEN it unlinks WeChat
    response = client.delete("/v1/users/me/connections/wechat", headers=bearer(member))
    # THEN that is refused: nothing else would sign it in
    assert response.status_code == 409
    assert "only way" in response.json()["detail"]
    # AND with GitHub linked too, WeChat may go
    link(db, member, github_id="4243")
    assert client.delete("/v1/users/me/connections/wechat", headers=bearer(member)).status_code == 204


def test_a_provider_account_with_a_real_address_keeps_magic_links(client, db):
    member = signup(client)
    link(db, member, github_id="4244", hashed_password=None)
    assert client.delete("/v1/users/me/connections/github", headers=bearer(member)).status_code == 204


def test_a_provider_not_linked_is_404_and_an_unknown_one_422(client):
    member = signup(client)
    assert client.delete("/v1/users/me/connections/github", headers=bearer(member)).status_code == 404
    assert client.delete("/v1/users/me/connections/facebook", headers=bearer(member)).status_code == 422
