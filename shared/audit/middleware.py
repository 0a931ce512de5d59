"""AuditLogMiddleware: every mutating request (POST, PUT, PATCH, DELETE) leaves an `operation_logs`
row once its response has been sent: who (set by the auth dependency), what route, from where, the
status and, for errors, the message the caller got. Bodies are never stored."""

import json
import time
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.audit import service as audit_service
from shared.db import SessionSource

logger = Logger(child=True)

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_CAPTURED_ERROR_BYTES = 4096
AUDIT_USER = "audit_user"  # request.state key: (user id, username), set by shared.auth.dependencies


def error_message(body: bytes) -> str | None:
    """The `detail` of an error response, as one line of text."""
    try:
        detail = json.loads(body)["detail"]
    except (ValueError, KeyError, TypeError):
        return None
    if isinstance(detail, list):  # validation errors: where and what
        return "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', []))}: {error.get('msg', '')}"
            for error in detail
            if isinstance(error, dict)
        )
    return str(detail)


class AuditLogMiddleware:
    """Writes through the app's session source (the routes' own, given by `create_app`), once the
    route's session has been closed: one pooled connection is enough."""

    def __init__(self, app: ASGIApp, sessions: SessionSource) -> None:
        self.app = app
        self.open_session = contextmanager(sessions)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATING_METHODS:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response says otherwise
        error_body = bytearray()

        async def capturing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400:
                error_body.extend(message.get("body", b"")[: MAX_CAPTURED_ERROR_BYTES - len(error_body)])
            await send(message)

        try:
            await self.app(scope, receive, capturing_send)
        finally:
            entry = self.entry(scope, status, bytes(error_body), (time.perf_counter() - started) * 1000)
            await run_in_threadpool(self.write, entry)

    @staticmethod
    def entry(scope: Scope, status: int, error_body: bytes, cost_ms: float) -> dict[str, Any]:
        state = scope.get("state", {})
        user_id, username = state.get(AUDIT_USER, (None, None))
        route = scope.get("route")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        client = scope.get("client")
        return {
            "trace_id": state.get("request_id", ""),
            "user_id": user_id,
            "username": username,
            "method": scope["method"],
            "title": getattr(route, "name", None) or "unmatched",
            "path": scope["path"],
            "ip": client[0] if client else None,
            "args": audit_service.redact({**scope.get("path_params", {}), **query}),
            "status": status,
            "code": audit_service.code_for(status),
            "msg": error_message(error_body) if status >= 400 else None,
            "cost_time": round(cost_ms, 3),
        }

    def write(self, entry: dict[str, Any]) -> None:
        """Never fails the request, which has been answered already; a lost row is logged."""
        session: Session
        try:
            with self.open_session() as session:
                if not session.is_active:  # the request's transaction failed: start clean
                    session.rollback()
                audit_service.record(session, **entry)
        except Exception:
            logger.exception("operation log not written", extra={"path": entry["path"]})
