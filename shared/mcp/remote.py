"""The asynchronous half of talking to a remote MCP server, with the official SDK (`mcp`, which speaks
through httpx2): a session over Streamable HTTP or SSE whose every request goes through the SSRF guard.

`PinnedTransport` is the only way out: each request's host is checked by `shared.outbound` and the
connection goes to the address that was checked (TLS still verifies the name), so neither a redirect
(the SDK follows same-origin ones only) nor DNS rebinding reaches a private address; everything the
server sends is counted against a byte cap. Imported only when a call is made: the SDK costs ~1 s."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from mcp.client.client import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from shared import outbound

# Ask every server for the initialize handshake: MCP servers of both SDK majors and of every other SDK
# answer it, while the 2026 `server/discover` probe would cost a round trip to most of them.
CONNECT_MODE = "legacy"


class ResultTooLarge(httpx2.StreamError):
    """The server sent more than the byte cap (raised inside the SDK's reads, reported by the caller)."""


@dataclass
class Exchange:
    """What one exchange saw: the bytes received and the statuses of the server's answers."""

    limit: int
    received: int = 0
    statuses: list[int] = field(default_factory=list)
    too_large: bool = False
    refused: outbound.OutboundError | None = None


class CappedStream(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream, exchange: Exchange) -> None:
        self.stream = stream
        self.exchange = exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            self.exchange.received += len(chunk)
            if self.exchange.received > self.exchange.limit:
                self.exchange.too_large = True
                raise ResultTooLarge(f"more than {self.exchange.limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self.stream.aclose()


class PinnedTransport(httpx2.AsyncBaseTransport):
    """Checks every request's destination and connects to the checked address."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.inner = httpx2.AsyncHTTPTransport(trust_env=False, retries=0)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        try:
            address = await anyio.to_thread.run_sync(outbound.check_destination, url)
        except outbound.OutboundError as exc:
            self.exchange.refused = exc
            raise httpx2.ConnectError(str(exc), request=request) from None
        pinned = httpx2.Request(
            request.method,
            request.url.copy_with(host=address),
            headers=request.headers,  # the Host header still names the server
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": request.url.host},
        )
        response = await self.inner.handle_async_request(pinned)
        self.exchange.statuses.append(response.status_code)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        response.stream = CappedStream(response.stream, self.exchange)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_client(headers: dict[str, str], timeout: float, exchange: Exchange) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        transport=PinnedTransport(exchange),
        headers=headers,
        timeout=httpx2.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment may route around the pinned transport
    )


@asynccontextmanager
async def session(
    *, transport: str, url: str, headers: dict[str, str], timeout: float, exchange: Exchange
) -> AsyncIterator[Client]:
    """An initialized MCP client session with the server, closed on exit."""
    if transport == "sse":

        def factory(
            headers: dict[str, str] | None = None,
            timeout: httpx2.Timeout | None = None,
            auth: httpx2.Auth | None = None,
        ) -> httpx2.AsyncClient:
            return http_client(headers or {}, seconds, exchange)

        seconds = timeout

        stream = sse_client(
            url, headers=headers, timeout=timeout, sse_read_timeout=timeout, httpx_client_factory=factory
        )
        async with Client(stream, mode=CONNECT_MODE, read_timeout_seconds=timeout, cache=None) as client:
            yield client
        return
    async with (
        http_client(headers, timeout, exchange) as http,
        Client(
            streamable_http_client(url, http_client=http),
            mode=CONNECT_MODE,
            read_timeout_seconds=timeout,
            cache=None,
        ) as client,
    ):
        yield client


async def list_tools(client: Client, limit: int) -> list[dict[str, Any]]:
    """Every page of the server's `tools/list`, as JSON (camelCase, as on the wire), at most `limit`."""
    tools: list[dict[str, Any]] = []
    cursor: str | None = None
    seen: set[str] = set()
    while len(tools) < limit:
        page = await client.list_tools(cursor=cursor)
        tools += [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in page.tools]
        cursor = page.next_cursor
        if cursor is None or cursor in seen:
            break
        seen.add(cursor)
    return tools[:limit]


class NotOffered(Exception):
    """The server's `tools/list` does not name the tool (the names it offers are the args)."""


async def call_tool(
    client: Client, name: str, arguments: dict[str, Any], *, check_offered: bool = False
) -> dict[str, Any]:
    """One `tools/call`, after making sure the server lists the tool when `check_offered`; the result as
    JSON (camelCase, as on the wire)."""
    if check_offered:
        offered = [tool["name"] for tool in await list_tools(client, limit=1000)]
        if name not in offered:
            raise NotOffered(*offered)
    result = await client.call_tool(name, arguments)
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)
