"""Any ASGI app served by uvicorn on 127.0.0.1 in a thread of the test: `with AsgiServer(app) as server:
server.url`. Real HTTP over loopback, for clients that need a socket (MCP clients, subprocesses)."""

import socket
import threading
import time
from typing import Any

import uvicorn

START_TIMEOUT_SECONDS = 10


class AsgiServer:
    def __init__(self, app: Any, *, lifespan: bool = True) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on" if lifespan else "off",
            timeout_graceful_shutdown=1,
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> "AsgiServer":
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the ASGI server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self.socket.close()


def one_request_at_a_time(app: Any) -> Any:
    """`app`, serving its requests one after the other, each to its very end (the operation log is
    written after the response went out). For an app whose requests all share the test's one session:
    a real client may send its next request before the previous one has finished."""
    import anyio

    lock = anyio.Lock()

    async def serialized(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        async with lock:
            await app(scope, receive, send)

    return serialized
