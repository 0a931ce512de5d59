"""A fake GitHub + WeChat OAuth provider: a real HTTP server on 127.0.0.1, speaking their APIs."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class ProviderAccount:
    code: str
    github_id: int | None = None
    login: str = "octocat"
    emails: list[dict[str, Any]] = field(default_factory=list)
    openid: str | None = None
    unionid: str | None = None
    nickname: str = "微信用户"


class FakeOAuthProvider:
    def __init__(self) -> None:
        self.accounts: dict[str, ProviderAccount] = {}  # by code
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def add(self, account: ProviderAccount) -> ProviderAccount:
        self.accounts[account.code] = account
        return account

    def __enter__(self) -> "FakeOAuthProvider":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
