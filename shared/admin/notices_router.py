"""/v1/notices (anyone: the notices shown now) and /v1/admin/notices (notices:manage). AdminFunction."""

from fastapi import APIRouter, status

from shared.admin import notices as notice_service
from shared.admin.dependencies import NoticeById, NoticeManager
from shared.admin.schemas import NoticeAdmin, NoticeCreate, NoticePublic, NoticeUpdate
from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.db import SessionDep

router = APIRouter(tags=["notices"])


@router.get("/notices", response_model=Page[NoticePublic], responses=error_responses(422))
def list_notices(session: SessionDep, page: PageDep) -> Page[NoticePublic]:
    """Published notices within their period, for everyone, no sign-in needed."""
    items, total = notice_service.list_active(session, page)
    return Page.of([NoticePublic.model_validate(item) for item in items], total, page)


@router.get("/admin/notices", response_model=Page[NoticeAdmin], responses=error_responses(401, 403, 422))
def list_all_notices(_: NoticeManager, session: SessionDep, page: PageDep) -> Page[NoticeAdmin]:
    """Every notice, drafts and past ones included, newest first."""
    items, total = notice_service.list_all(session, page)
    return Page.of([NoticeAdmin.model_validate(item) for item in items], total, page)


@router.post(
    "/admin/notices",
    status_code=status.HTTP_201_CREATED,
    response_model=NoticeAdmin,
    responses=error_responses(401, 403, *JSON_BODY),
)
def create_notice(body: NoticeCreate, author: NoticeManager, session: SessionDep) -> NoticeAdmin:
    return NoticeAdmin.model_validate(notice_service.create_notice(session, request=body, author=author))


@router.get(
    "/admin/notices/{notice_id}", response_model=NoticeAdmin, responses=error_responses(401, 403, 404, 422)
)
def read_notice(notice: NoticeById) -> NoticeAdmin:
    return NoticeAdmin.model_validate(notice)


@router.patch(
    "/admin/notices/{notice_id}",
    response_model=NoticeAdmin,
    responses=error_responses(401, 403, 404, *JSON_BODY),
)
def update_notice(notice: NoticeById, body: NoticeUpdate, session: SessionDep) -> NoticeAdmin:
    return NoticeAdmin.model_validate(notice_service.update_notice(session, notice=notice, request=body))


@router.delete(
    "/admin/notices/{notice_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_notice(notice: NoticeById, session: SessionDep) -> None:
    notice_service.delete_notice(session, notice=notice)
