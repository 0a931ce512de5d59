"""The one mapping from exceptions to HTTP responses: `{"detail": ...}`, never a stack trace."""

from aws_lambda_powertools import Logger
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db import sqlstate_of
from shared.errors import AuthenticationError, DomainError, RateLimitedError, ServiceUnavailableError

logger = Logger(child=True)

DATABASE_RETRY_AFTER_SECONDS = 5
# SQLSTATE class 22, "data exception": too long, out of range, not storable (NUL in text or JSON)
DATA_EXCEPTION_CLASS = "22"
UNSTORABLE_VALUE = "A value cannot be stored: too long, out of range, or with a NUL character"
# The database is away for now, whatever the request: a connection exception (08), the server shutting
# down, crashed and restarting, or recovering (57P01-57P03), out of resources (53).
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P0", "53")


async def handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, ServiceUnavailableError):
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # The offending input is echoed back by default; drop it so a password never comes back in an error.
    errors = [
        {key: value for key, value in error.items() if key not in {"input", "ctx", "url"}}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def database_is_unavailable(exc: DBAPIError) -> bool:
    """A lost or refused connection, or a server that is down, crashed or recovering."""
    return (
        isinstance(exc, (OperationalError, InterfaceError))
        or exc.connection_invalidated
        or sqlstate_of(exc.orig).startswith(UNAVAILABLE_SQLSTATE_PREFIXES)
    )


async def handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    """A value PostgreSQL cannot store (class 22, e.g. a NUL character in text) is the caller's
    invalid input; a database that is away is a 503; anything else is unexpected."""
    assert isinstance(exc, DBAPIError)
    if sqlstate_of(exc.orig).startswith(DATA_EXCEPTION_CLASS):
        logger.info("value refused by the database", extra={"sqlstate": sqlstate_of(exc.orig)})
        return JSONResponse({"detail": UNSTORABLE_VALUE}, status_code=422)
    if database_is_unavailable(exc):
        return await handle_database_unavailable(request, exc)
    return await handle_unexpected_error(request, exc)


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Also a pool that gave no connection within DB_POOL_TIMEOUT_SECONDS."""
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    return JSONResponse(
        {"detail": "The database is unavailable; retry shortly."},
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


async def handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse({"detail": "Internal server error", "request_id": request_id}, status_code=500)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(DBAPIError, handle_database_error)
    app.add_exception_handler(PoolTimeoutError, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_unexpected_error)
