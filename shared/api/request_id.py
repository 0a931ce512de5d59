"""Give every request an id: the caller's `X-Request-ID`, API Gateway's request id, or a new one."""

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
# Ids from outside are echoed in a header and logs: accept only short, plain tokens.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._=-]{1,128}$")


def pick_request_id(scope: Scope) -> str:
    """The id this request is known by."""
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if SAFE_REQUEST_ID.match(candidate):
                return candidate
    aws_event = scope.get("aws.event") or {}
    gateway_id = (aws_event.get("requestContext") or {}).get("requestId")
    if gateway_id and SAFE_REQUEST_ID.match(gateway_id):
        return gateway_id
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI middleware: puts the id on `request.state.request_id` and the `X-Request-ID` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = pick_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_request_id)
