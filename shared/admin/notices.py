"""Notices: written by administrators, shown to everyone while published and within their period."""

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.admin.models import Notice
from shared.admin.schemas import NoticeCreate, NoticeUpdate, check_period
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now
from shared.errors import InvalidInputError, NotFoundError
from shared.users.models import User

NOT_NULLABLE = ("title", "content", "status")


def get_notice(session: Session, notice_id: uuid.UUID) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError("Notice not found")
    return notice


def list_active(session: Session, page: PageParams) -> tuple[list[Notice], int]:
    """Published notices whose period holds now, the most recently started first."""
    now = get_utc_now()
    query = (
        select(Notice)
        .where(
            Notice.status == "published",
            or_(Notice.starts_at.is_(None), Notice.starts_at <= now),
            or_(Notice.ends_at.is_(None), Notice.ends_at > now),
        )
        .order_by(Notice.starts_at.desc().nulls_last(), Notice.created_at.desc(), Notice.id)
    )
    return paginate(session, query, page)


def list_all(session: Session, page: PageParams) -> tuple[list[Notice], int]:
    return paginate(session, select(Notice).order_by(Notice.created_at.desc(), Notice.id), page)


def create_notice(session: Session, *, request: NoticeCreate, author: User) -> Notice:
    notice = Notice(id=uuid.uuid4(), **request.model_dump(), created_by=author.id)
    session.add(notice)
    session.commit()
    return notice


def update_notice(session: Session, *, notice: Notice, request: NoticeUpdate) -> Notice:
    """A partial change; the period it leaves must still end after it starts (422)."""
    fields = request.model_dump(exclude_unset=True)
    null = [name for name in NOT_NULLABLE if name in fields and fields[name] is None]
    if null:
        raise InvalidInputError(f"{', '.join(null)} cannot be null")
    try:
        check_period(fields.get("starts_at", notice.starts_at), fields.get("ends_at", notice.ends_at))
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    for name, value in fields.items():
        setattr(notice, name, value)
    session.commit()
    return notice


def delete_notice(session: Session, *, notice: Notice) -> None:
    session.delete(notice)
    session.commit()
