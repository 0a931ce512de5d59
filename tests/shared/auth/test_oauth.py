"""GET /v1/auth/oauth/{provider}/authorize and /callback against a fake provider on loopback."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select, update

from shared.auth.models import LoginLog, OAuthState
from shared.config import settings
from shared.users.models import User
from tests.accounts import signup
from tests.fakes.oauth_provider import FakeOAuthProvider, ProviderAccount

pytestmark = pytest.mark.usefixtures("mailbox")


@pytest.fixture
def provider(monkeypatch):  # type: ignore[no-untyped-def]
    with FakeOAuthProvider() as fake:
        for name, value in {
            "GITHUB_CLIENT_ID": "github-client",
            "GITHUB_CLIENT_SECRET": "github-secret",
            "GITHUB_TOKEN_URL": f"{fake.url}/login/oauth/access_token",
            "GITHUB_API_URL": fake.url,
            "WECHAT_APP_ID": "wx-app",
            "WECHAT_APP_SECRET": "wechat-secret",
            "WECHAT_API_URL": fake.url,
        }.items():
            monkeypatch.setattr(settings, name, value)
        yield fake


def authorize(client, provider_name: str = "github") -> str:
    response = client.get(f"/v1/auth/oauth/{provider_name}/authorize")
    assert response.status_code == 200, response.text
    return response.json()["state"]


def callback(client, code: str, state: str, provider_name: str = "github"):  # type: ignore[no-untyped-def]
    return client.get(f"/v1/auth/oauth/{provider_name}/callback", params={"code": code, "state": state})


def test_authorize_returns_the_provider_url_with_a_fresh_state(client, provider):
    response = client.get("/v1/auth/oauth/github/authorize")
    body = response.json()
    url = urlparse(body["authorization_url"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://github.com/login/oauth/authorize"
    assert query["client_id"] == ["github-client"]
    assert query["state"] == [body["state"]]
    assert query["redirect_uri"] == [settings.GITHUB_REDIRECT_URI]
    assert body["expires_in"] == 600
    assert authorize(client) != body["state"]


def test_wechat_authorize_uses_the_qr_connect_url(client, provider):
    url = client.get("/v1/auth/oauth/wechat/authorize").json()["authorization_url"]
    assert url.startswith("https://open.weixin.qq.com/connect/qrconnect?appid=wx-app")
    assert url.endswith("#wechat_redirect")


def test_an_unconfigured_provider_is_404(client, monkeypatch):
    monkeypatch.setattr(settings, "GITHUB_CLIENT_ID", None)
    response = client.get("/v1/auth/oauth/github/authorize")
    assert response.status_code == 404
    assert "not configured" in response.json()["detail"]


def test_an_unknown_provider_is_422(client):
    assert client.get("/v1/auth/oauth/facebook/authorize").status_code == 422


def test_a_new_github_user_gets_an_account(client, provider, mailbox):
    provider.add(
        ProviderAccount(
            code="c1",
            github_id=583231,
            login="octocat",
            emails=[{"email": "Octo@GitHub.example", "primary": True, "verified": True}],
        )
    )
    response = callback(client, "c1", authorize(client))
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert (user["username"], user["email"], user["github_linked"]) == (
        "octocat",
        "octo@github.example",
        True,
    )
    assert user["has_password"] is False
    assert mailbox.to("octo@github.example")[0]["Subject"] == "欢迎加入 AI导航！"
    assert (
        client.get(
            "/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
        ).json()["id"]
        == user["id"]
    )


def test_a_verified_github_email_links_the_existing_account(client, provider):
    existing = signup(client, email="linked@example.com")
    provider.add(
        ProviderAccount(
            code="c2",
            github_id=42,
            login="someone",
            emails=[{"email": "linked@example.com", "primary": True, "verified": True}],
        )
    )
    response = callback(client, "c2", authorize(client))
    assert response.json()["user"]["id"] == existing["user"]["id"]
    assert response.json()["user"]["github_linked"] is True
    # and next time the GitHub id alone finds it
    provider.add(ProviderAccount(code="c3", github_id=42, login="someone", emails=[]))
    assert callback(client, "c3", authorize(client)).json()["user"]["id"] == existing["user"]["id"]


def test_an_unverified_email_does_not_link(client, provider):
    existing = signup(client, email="careful@example.com")
    provider.add(
        ProviderAccount(
            code="c4",
            github_id=7,
            login="impostor",
            emails=[{"email": "careful@example.com", "primary": True, "verified": False}],
        )
    )
    response = callback(client, "c4", authorize(client))
    assert response.status_code == 200
    assert response.json()["user"]["id"] != existing["user"]["id"]


def test_a_state_works_once(client, provider):
    provider.add(ProviderAccount(code="c5", github_id=5, emails=[]))
    provider.add(ProviderAccount(code="c6", github_id=6, emails=[]))
    state = authorize(client)
    assert callback(client, "c5", state).status_code == 200
    replay = callback(client, "c6", state)
    assert replay.status_code == 400
    assert "invalid or expired" in replay.json()["detail"]


def test_an_unknown_or_expired_state_is_400(client, provider, db):
    provider.add(ProviderAccount(code="c7", github_id=8, emails=[]))
    assert callback(client, "c7", "s" * 43).status_code == 400
    state = authorize(client)
    db.execute(update(OAuthState).values(expires_at=OAuthState.created_at - timedelta(seconds=1)))
    assert callback(client, "c7", state).status_code == 400


def test_a_state_is_bound_to_its_provider(client, provider):
    provider.add(ProviderAccount(code="c8", openid="o-8"))
    assert callback(client, "c8", authorize(client, "github"), provider_name="wechat").status_code == 400


def test_a_code_the_provider_refuses_is_401_and_logged(client, provider, db):
    response = callback(client, "no-such-code", authorize(client))
    assert response.status_code == 401
    assert response.json() == {"detail": "GitHub sign-in failed; try again"}


def test_a_wechat_user_gets_an_account_keyed_by_unionid_without_mail(client, provider, mailbox, db):
    provider.add(ProviderAccount(code="w1", openid="openid-1", unionid="union-1", nickname="小明"))
    response = callback(client, "w1", authorize(client, "wechat"), provider_name="wechat")
    assert response.status_code == 200, response.text
    user = db.scalar(select(User).where(User.wechat_id == "union-1"))
    assert user is not None
    assert user.email.endswith(".invalid")  # WeChat shares no address; nothing is ever mailed there
    assert mailbox.messages() == []
    assert db.scalar(select(LoginLog.method).where(LoginLog.user_id == user.id)) == "wechat"


def test_a_disabled_account_cannot_sign_in_through_a_provider(client, provider, db):
    provider.add(ProviderAccount(code="c9", github_id=99, emails=[]))
    callback(client, "c9", authorize(client))
    db.execute(update(User).where(User.github_id == "99").values(is_active=False))
    provider.add(ProviderAccount(code="c10", github_id=99, emails=[]))
    assert callback(client, "c10", authorize(client)).status_code == 403
