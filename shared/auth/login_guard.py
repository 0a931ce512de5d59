"""The login log (seed 001 sys_login_log) and the brute-force limits it drives.

Lambda containers share no memory, so failures are counted in PostgreSQL over a sliding window."""

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from shared.auth import user_agents
from shared.auth.models import LoginLog
from shared.auth.sessions import ClientInfo
from shared.config import get_utc_now, settings
from shared.errors import RateLimitedError

MAX_MESSAGE_LENGTH = 500


def record_attempt(
    *,
    session: Session,
    identifier: str,
    method: str,
    status: str,
    client: ClientInfo,
    user_id: uuid.UUID | None = None,
    message: str | None = None,
) -> None:
    """Append one attempt to the login log (flushed with the caller's transaction)."""
    agent = user_agents.parse(client.user_agent)
    session.add(
        LoginLog(
            user_id=user_id,
            identifier=identifier[:255],
            method=method,
            status=status,
            message=(message or "")[:MAX_MESSAGE_LENGTH] or None,
            ip=client.ip,
            user_agent=client.user_agent,
            os=agent.os,
            browser=agent.browser,
            device=agent.device,
            city=client.city,
            created_at=get_utc_now(),  # the clock at the attempt, not its transaction's start
        )
    )
    session.flush()


def _blocked_until(
    session: Session, condition: ColumnElement[bool], limit: int, now: datetime
) -> datetime | None:
    """When the `limit`-th most recent failure in the window leaves it, or None if under the limit."""
    window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    limiting_failure = session.scalar(
        select(LoginLog.created_at)
        .where(condition, LoginLog.status == "failure", LoginLog.created_at > now - window)
        .order_by(LoginLog.created_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    return None if limiting_failure is None else limiting_failure + window


def ensure_not_blocked(
    *, session: Session, identifier: str, user_id: uuid.UUID | None, client: ClientInfo, method: str
) -> None:
    """Refuse (429) an account with too many recent failures, or an IP with too many; log the refusal."""
    # One attempt per identifier at a time (until the caller commits): parallel guesses cannot all
    # pass the check before any of their failures is recorded.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(identifier))))
    now = get_utc_now()
    account = LoginLog.identifier == identifier
    if user_id is not None:
        account = or_(account, LoginLog.user_id == user_id)
    candidates = [_blocked_until(session, account, settings.LOGIN_MAX_FAILURES_PER_ACCOUNT, now)]
    if client.ip:
        candidates.append(
            _blocked_until(session, LoginLog.ip == client.ip, settings.LOGIN_MAX_FAILURES_PER_IP, now)
        )
    blocked = [until for until in candidates if until is not None]
    if not blocked:
        return
    retry_after = max(1, math.ceil((max(blocked) - now).total_seconds()))
    record_attempt(
        session=session,
        identifier=identifier,
        method=method,
        status="blocked",
        client=client,
        user_id=user_id,
        message="too many failed attempts",
    )
    session.commit()
    raise RateLimitedError(
        "Too many failed sign-in attempts; try again later.", retry_after_seconds=retry_after
    )
