"""/v1/admin/jobs: every tracked queue job, for holders of `jobs:manage`; a dead one can be redriven."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from shared.admin.dependencies import JobManager
from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.db import SessionDep
from shared.queue import jobs, redrive
from shared.queue.models import JobStatus, QueueJob, QueueName
from shared.queue.schemas import QueueJobPublic

router = APIRouter(prefix="/admin/jobs", tags=["admin"])


def any_job(job_id: uuid.UUID, session: SessionDep, _: JobManager) -> QueueJob:
    return jobs.get(session, job_id)


AnyJob = Annotated[QueueJob, Depends(any_job)]


@router.get("", response_model=Page[QueueJobPublic], responses=error_responses(401, 403, 422))
def list_jobs(
    _: JobManager,
    session: SessionDep,
    page: PageDep,
    queue: QueueName | None = None,
    status: JobStatus | None = None,
    type: Annotated[str | None, Query(max_length=50, description="a message type, e.g. mail.send")] = None,
) -> Page[QueueJobPublic]:
    """Jobs newest first; each filter narrows the list."""
    rows, total = jobs.list_jobs(session, page=page, queue=queue, status=status, type=type)
    return Page.of([QueueJobPublic.model_validate(row) for row in rows], total, page)


@router.get("/{job_id}", response_model=QueueJobPublic, responses=error_responses(401, 403, 404, 422))
def read_job(job: AnyJob) -> QueueJobPublic:
    return QueueJobPublic.model_validate(job)


@router.post(
    "/{job_id}/redrive",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=QueueJobPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
def redrive_job(job: AnyJob, session: SessionDep) -> QueueJobPublic:
    """Send a dead job's message again (409 unless it is dead)."""
    return QueueJobPublic.model_validate(redrive.redrive(session, job))
