"""Calling a user's remote MCP server from synchronous code (the worker, routes, the agent loop): list
its tools, or call one. Each call is one connection of its own (`shared.mcp.remote`: the official SDK,
the SSRF guard on every request), within a time limit and a byte cap; what goes wrong is an
OutboundError naming the server, retryable when another attempt may help (a timeout, no connection,
HTTP 429 or 5xx). The values of the server's credentials never come back: they are masked in results
and in errors, whatever the server echoes."""

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from shared import outbound
from shared.config import settings

if TYPE_CHECKING:
    from mcp.client.client import Client

    from shared.mcp import remote

T = TypeVar("T")
MASK = "***"
MAX_QUOTED_ERROR = 300
# credential values shorter than this are not masked: masking "a" would mangle every text
MIN_MASKED_LENGTH = 4
MAX_NAMED_TOOLS = 20


class McpCallError(outbound.OutboundError):
    """The server refused the call, answered something that is not MCP, or too much; final."""


class McpUnavailable(McpCallError, outbound.RetryableOutboundError):
    """No answer in time, no connection, or HTTP 429 or 5xx: another attempt may succeed."""


class NotOfferedError(McpCallError):
    def __init__(self, offered: list[str]) -> None:
        super().__init__("the tool is not offered")
        self.offered = offered


@dataclass(frozen=True)
class Target:
    """Where a call goes: a server's name (for messages), its transport and URL, the headers it is sent,
    and every credential value to mask in what comes back."""

    name: str
    transport: str  # streamable_http | sse
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def mask(self, value: Any) -> Any:
        """`value` with every credential value replaced by ***, in strings at any depth."""
        if isinstance(value, str):
            for secret in self.secrets:
                if len(secret) >= MIN_MASKED_LENGTH:
                    value = value.replace(secret, MASK)
            return value
        if isinstance(value, dict):
            return {self.mask(key): self.mask(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.mask(item) for item in value]
        return value


@dataclass(frozen=True)
class ToolOutcome:
    """A `tools/call` result: its text blocks joined, every content block, the error flag and the
    structured content when the server sent one."""

    text: str
    content: list[dict[str, Any]]
    is_error: bool
    structured: Any = None

    @classmethod
    def of(cls, result: dict[str, Any]) -> "ToolOutcome":
        content = [block for block in result.get("content") or [] if isinstance(block, dict)]
        text = "\n".join(str(block.get("text", "")) for block in content if block.get("type") == "text")
        return cls(text, content, bool(result.get("isError")), result.get("structuredContent"))

    def output(self) -> dict[str, Any]:
        """The output of an `mcp` node and the result of an agent's MCP tool."""
        output = {"text": self.text, "content": self.content, "is_error": self.is_error}
        if self.structured is not None:
            output["structured"] = self.structured
        return output


def list_tools(target: Target, *, timeout: float) -> list[dict[str, Any]]:
    """The server's tools (`[{name, description, inputSchema, annotations?}]`), at most
    MCP_MAX_TOOLS_PER_SERVER of them."""

    async def work(remote: "remote", client: "Client") -> list[dict[str, Any]]:
        return await remote.list_tools(client, settings.MCP_MAX_TOOLS_PER_SERVER)

    return target.mask(_exchange(target, timeout, work))


def call_tool(
    target: Target, tool: str, arguments: dict[str, Any], *, timeout: float, check_offered: bool = False
) -> ToolOutcome:
    """Call one tool of the server with these arguments; with `check_offered` (its tools are not known
    yet), fail clearly when the server does not list the tool, rather than read its complaint."""

    async def work(remote: "remote", client: "Client") -> dict[str, Any]:
        return await remote.call_tool(client, tool, arguments, check_offered=check_offered)

    try:
        return ToolOutcome.of(target.mask(_exchange(target, timeout, work)))
    except NotOfferedError as exc:
        offered = ", ".join(exc.offered[:MAX_NAMED_TOOLS]) or "none"
        raise McpCallError(
            f"the MCP server {target.name!r} does not offer the tool {tool!r} (it offers: {offered})"
        ) from None


def _exchange(target: Target, timeout: float, work: Callable[["remote", "Client"], Awaitable[T]]) -> T:
    """Open a session with the server, do `work` in it, close it: all within `timeout`."""
    import anyio

    from shared.mcp import remote

    exchange = remote.Exchange(limit=settings.MCP_MAX_RESULT_BYTES)

    async def run() -> T:
        with anyio.fail_after(timeout):
            async with remote.session(
                transport=target.transport,
                url=target.url,
                headers=target.headers,
                timeout=timeout,
                exchange=exchange,
            ) as client:
                return await work(remote, client)

    try:
        return _run_async(run)
    except Exception as exc:
        raise _failure(target, exc, exchange, timeout) from None


def _run_async(function: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function to its end from synchronous code: in this thread, or in a thread of
    its own when this one already runs an event loop (ainav's MCP endpoint runs workflows that way)."""
    import anyio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(function)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, function).result()


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _failure(target: Target, exc: Exception, exchange: "remote.Exchange", timeout: float) -> McpCallError:
    """What went wrong, said once, naming the server and never a credential."""
    import httpx2
    from mcp.shared.exceptions import MCPError
    from mcp.types import PARSE_ERROR

    from shared.mcp import remote

    server = f"the MCP server {target.name!r}"
    leaves = _leaves(exc)
    not_offered = next((leaf for leaf in leaves if isinstance(leaf, remote.NotOffered)), None)
    if not_offered is not None:
        return NotOfferedError([str(name) for name in not_offered.args])
    if exchange.too_large:
        return McpCallError(f"{server} sent more than {exchange.limit} bytes")
    if exchange.refused is not None:
        return McpCallError(f"{server} is not reachable from here: {exchange.refused}")
    failing = [status for status in exchange.statuses if status == 429 or status >= 500]
    if any(isinstance(leaf, TimeoutError | httpx2.TimeoutException) for leaf in leaves):
        return McpUnavailable(f"{server} did not answer within {timeout:g}s")
    if failing:
        return McpUnavailable(f"{server} answered HTTP {failing[-1]}")
    for leaf in leaves:
        if isinstance(leaf, MCPError):
            message = target.mask(str(leaf.error.message))[:MAX_QUOTED_ERROR]
            if leaf.error.code == PARSE_ERROR:  # the client could not read the answer
                return McpCallError(f"{server} answered something that is not MCP: {message}")
            return McpCallError(f"{server} answered with an error: {message}")
        if isinstance(leaf, httpx2.HTTPStatusError):
            return McpCallError(f"{server} answered HTTP {leaf.response.status_code}")
        if isinstance(leaf, httpx2.TransportError):
            return McpUnavailable(f"cannot reach {server} ({type(leaf).__name__})")
    return McpCallError(f"{server} answered something that is not MCP ({type(leaves[0]).__name__})")
