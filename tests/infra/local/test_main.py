"""The server of `make dev` (infra/local/__main__.py): requests waiting for a pooled connection never
stall the requests that hold one."""

import asyncio
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import uvicorn
from fastapi import Depends, FastAPI, HTTPException

from infra.local.__main__ import API_CONCURRENCY, build_server_class

POOL_SIZE = 2
POOL_TIMEOUT_SECONDS = 5
CLIENTS = 80  # twice anyio's default number of worker threads


def pooled_app() -> FastAPI:
    """A sync route behind a dependency that takes a connection from a small pool and keeps it until the
    request ends, as `get_db` plus an authenticating dependency do."""
    pool = threading.BoundedSemaphore(POOL_SIZE)

    def connection() -> Iterator[None]:
        if not pool.acquire(timeout=POOL_TIMEOUT_SECONDS):
            raise HTTPException(503, "pool timeout")
        try:
            yield
        finally:
            pool.release()

    app = FastAPI()

    @app.get("/work", dependencies=[Depends(connection)])
    def work() -> dict[str, bool]:
        time.sleep(0.005)
        return {"ok": True}

    return app


async def burst(url: str) -> Counter:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=CLIENTS)) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(CLIENTS)))
    return Counter(response.status_code for response in responses)


def test_more_requests_than_anyio_threads_waiting_for_a_small_pool_all_succeed_without_a_stall(free_port):
    port = free_port
    server = build_server_class()(
        uvicorn.Config(
            pooled_app(), host="127.0.0.1", port=port, log_level="warning", limit_concurrency=API_CONCURRENCY
        )
    )
    outcome: dict[str, object] = {}

    def clients() -> None:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        try:
            outcome["statuses"] = asyncio.run(burst(f"http://127.0.0.1:{port}/work"))
        finally:
            outcome["seconds"] = time.monotonic() - started
            server.should_exit = True

    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=clients)
    thread.start()
    try:
        server.run()  # in the main thread: it installs its signal handlers
    finally:
        server.should_exit = True
        thread.join(60)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    # with anyio's 40 threads, the waiters held every thread, the holders could not run their route, and
    # everything stood still until the pool timed out
    assert outcome["statuses"] == Counter({200: CLIENTS})
    assert outcome["seconds"] < POOL_TIMEOUT_SECONDS
