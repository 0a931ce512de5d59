"""Reading the login log: everyone's for auditors, one's own for each user; and its retention."""

import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.auth.models import LoginLog
from shared.config import get_utc_now, settings


class LoginLogFilter(BaseModel):
    user_id: uuid.UUID | None = None
    status: str | None = None
    ip: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(*, session: Session, filters: LoginLogFilter, page: PageParams) -> tuple[list[LoginLog], int]:
    """Newest first, narrowed by every filter given."""
    query = select(LoginLog)
    if filters.user_id is not None:
        query = query.where(LoginLog.user_id == filters.user_id)
    if filters.status:
        query = query.where(LoginLog.status == filters.status)
    if filters.ip:
        query = query.where(LoginLog.ip == filters.ip)
    if filters.since is not None:
        query = query.where(LoginLog.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(LoginLog.created_at < filters.until)
    return paginate(session, query.order_by(LoginLog.created_at.desc(), LoginLog.id), page)


def history_of(*, session: Session, user_id: uuid.UUID, page: PageParams) -> tuple[list[LoginLog], int]:
    """A user's own sign-ins and failed attempts on their account, newest first."""
    return search(session=session, filters=LoginLogFilter(user_id=user_id), page=page)


def purge_old_entries(session: Session) -> int:
    """Rows older than LOGIN_LOG_RETENTION_DAYS; the caller commits."""
    cutoff = get_utc_now() - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    return session.execute(delete(LoginLog).where(LoginLog.created_at < cutoff)).rowcount
