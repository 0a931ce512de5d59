"""Domain errors raised by services; `shared.api.errors` is the one place that maps them to HTTP."""


class DomainError(Exception):
    """Base of every error a service raises on purpose; the message is safe to show to the caller."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(DomainError):
    """A well-formed request that cannot be honoured as sent: an expired link, a used state."""

    status_code = 400


class InvalidInputError(DomainError):
    status_code = 422


class AuthenticationError(DomainError):
    status_code = 401


class PaymentRequiredError(DomainError):
    """The balance cannot cover what was asked (a model call, a run of LLM nodes)."""

    status_code = 402


class PermissionDeniedError(DomainError):
    status_code = 403


class NotFoundError(DomainError):
    """The object does not exist, or it is someone else's private object (never tell which)."""

    status_code = 404


class ConflictError(DomainError):
    status_code = 409


class PayloadTooLargeError(DomainError):
    status_code = 413


class RateLimitedError(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after_seconds: int = 60) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailableError(DomainError):
    status_code = 503


class QuotaExceededError(DomainError):
    """A per-user allowance is used up until the user frees some of it (no Retry-After helps)."""

    status_code = 429
