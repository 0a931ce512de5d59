"""Two pure ASGI middlewares every app wears: security headers on every response, and a cap on the
size of a request body (OWASP API4) enforced before any route reads it."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.config import settings

# An API that serves JSON only: nothing may be framed, sniffed, or cached when credentials came with it.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# JSON answers run no scripts. The docs pages (shared.api.docs) set their own, looser policy, which
# this middleware keeps: it only adds the headers a response does not already carry.
API_CONTENT_SECURITY_POLICY = b"default-src 'none'; frame-ancestors 'none'"
CREDENTIAL_HEADERS = (b"authorization", b"x-api-key", b"cookie")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*SECURITY_HEADERS, (b"content-security-policy", API_CONTENT_SECURITY_POLICY)]
        if any(name in CREDENTIAL_HEADERS for name, _ in scope.get("headers", [])):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in extra if name not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def too_large_response(limit: int) -> tuple[Message, Message]:
    body = json.dumps({"detail": f"The request body exceeds {limit} bytes"}).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    return start, {"type": "http.response.body", "body": body}


class BodySizeLimitMiddleware:
    """413 for a body over MAX_REQUEST_BODY_BYTES: at once when Content-Length says so, otherwise as
    soon as the streamed body passes the limit. The body (at most the limit) is read here and
    replayed to the app, so no route ever sees a part of an oversized body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.MAX_REQUEST_BODY_BYTES
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            for message in too_large_response(limit):
                await send(message)
            return
        body = bytearray()
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more_body = message.get("more_body", False)
            if len(body) > limit:
                for reply in too_large_response(limit):
                    await send(reply)
                return
        replayed = False

        async def replay_body() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay_body, send)
