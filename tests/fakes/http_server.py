"""A programmable HTTP server on 127.0.0.1: each path answers from a script of responses."""

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import LoopbackServer, QuietHandler


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer(LoopbackServer):
    """`script(path, Reply, Reply, ...)`: successive calls get successive replies; the last repeats."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                server.seen.append(Seen(self.command, self.path, dict(self.headers), self.body()))
                path = self.path.split("?", 1)[0]
                replies = server.scripts.get(path) or [Reply(404, {"error": "no script"})]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                self.answer(reply.status, reply.body, reply.headers)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        super().__init__(Handler)

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path] = list(replies)

    def calls(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path.split("?", 1)[0] == path]

    def __enter__(self) -> "ScriptedServer":
        super().__enter__()
        return self
