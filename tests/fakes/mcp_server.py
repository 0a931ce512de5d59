"""A real MCP server on 127.0.0.1, built with the official SDK (`MCPServer`, the 2.x FastMCP) and
served by uvicorn: Streamable HTTP at `{url}/mcp` (stateful, as most servers in the wild) and SSE at
`{sse_url}/sse`. It records the headers of every request it receives."""

from typing import Any

from mcp.server.mcpserver import Context, MCPServer

from tests.fakes.asgi_server import AsgiServer


def weather_station() -> MCPServer:
    server = MCPServer("weather-station", log_level="WARNING")

    @server.tool(description="Adds two integers.")
    def add(a: int, b: int) -> int:
        return a + b

    @server.tool(description="Today's weather in a city.")
    def weather(city: str) -> dict[str, str]:
        return {"city": city, "sky": "sunny"}

    @server.tool(description="Always fails.")
    def broken() -> str:
        raise ValueError("the sensor is offline")

    @server.tool(description="Repeats the Authorization header it was sent, as a careless server might.")
    def echo_auth(ctx: Context) -> str:
        return f"you sent {(ctx.headers or {}).get('authorization')}"

    @server.tool(description="A long text.")
    def long_text(size: int) -> str:
        return "x" * size

    return server


class FakeMcpServer:
    def __init__(self) -> None:
        self.seen_headers: list[dict[str, str]] = []
        mcp = weather_station()
        self._http = AsgiServer(self._recording(mcp.streamable_http_app()))
        self._sse = AsgiServer(self._recording(mcp.sse_app()))
        self.url = f"{self._http.url}/mcp"
        self.sse_url = f"{self._sse.url}/sse"

    def _recording(self, app: Any) -> Any:
        async def recorded(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.seen_headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
            await app(scope, receive, send)

        return recorded

    def __enter__(self) -> "FakeMcpServer":
        self._http.__enter__()
        self._sse.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._sse.__exit__(*exc)
        self._http.__exit__(*exc)
