"""A fake GitHub + WeChat OAuth provider: a real HTTP server on 127.0.0.1, speaking their APIs."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.loopback import LoopbackServer, QuietHandler


@dataclass
class ProviderAccount:
    code: str
    github_id: int | None = None
    login: str = "octocat"
    emails: list[dict[str, Any]] = field(default_factory=list)
    openid: str | None = None
    unionid: str | None = None
    nickname: str = "微信用户"


class FakeOAuthProvider(LoopbackServer):
    def __init__(self) -> None:
        self.accounts: dict[str, ProviderAccount] = {}  # by code
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        provider = self

        class Handler(QuietHandler):
            def _send(self, status: int, body: Any) -> None:
                self.answer(status, body)

            def do_POST(self) -> None:
                form = {k: v[0] for k, v in parse_qs(self.body().decode()).items()}
                provider.requests.append(("POST", self.path, form))
                if self.path == "/login/oauth/access_token":
                    account = provider.accounts.get(form.get("code", ""))
                    if account is None or form.get("client_secret") != "github-secret":
                        self._send(200, {"error": "bad_verification_code"})
                        return
                    self._send(200, {"access_token": f"gho_{account.code}", "token_type": "bearer"})
                    return
                self._send(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                provider.requests.append(("GET", url.path, query))
                auth = self.headers.get("Authorization", "")
                github_account = provider.accounts.get(auth.removeprefix("Bearer gho_"))
                if url.path == "/user":
                    if github_account is None:
                        self._send(401, {"message": "Bad credentials"})
                        return
                    self._send(200, {"id": github_account.github_id, "login": github_account.login})
                elif url.path == "/user/emails":
                    if github_account is None:
                        self._send(401, {"message": "Bad credentials"})
                        return
                    self._send(200, github_account.emails)
                elif url.path == "/sns/oauth2/access_token":
                    account = provider.accounts.get(query.get("code", ""))
                    if account is None or query.get("secret") != "wechat-secret":
                        self._send(200, {"errcode": 40029, "errmsg": "invalid code"})
                        return
                    self._send(200, {"access_token": f"wx_{account.code}", "openid": account.openid})
                elif url.path == "/sns/userinfo":
                    account = provider.accounts.get(query.get("access_token", "").removeprefix("wx_"))
                    if account is None:
                        self._send(200, {"errcode": 40001, "errmsg": "invalid credential"})
                        return
                    body = {"openid": account.openid, "nickname": account.nickname}
                    if account.unionid:
                        body["unionid"] = account.unionid
                    self._send(200, body)
                else:
                    self._send(404, {"message": "Not Found"})

        super().__init__(Handler)

    def add(self, account: ProviderAccount) -> ProviderAccount:
        self.accounts[account.code] = account
        return account

    def __enter__(self) -> "FakeOAuthProvider":
        super().__enter__()
        return self
