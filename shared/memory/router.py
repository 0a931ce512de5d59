"""/v1/workflows/{id}/memories (served by MemoriesFunction): add, list, search, delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.db import SessionDep
from shared.memory import service as memory_service
from shared.memory.schemas import (
    ContentType,
    MemoriesCreated,
    MemoryBatch,
    MemoryCreate,
    MemoryPublic,
    MemorySearchResults,
)
from shared.workflows.dependencies import MyWorkflow

router = APIRouter(prefix="/workflows/{workflow_id}/memories", tags=["memories"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MemoriesCreated,
    responses=error_responses(401, 404, *JSON_BODY),
)
def add_memories(
    body: Annotated[MemoryCreate | MemoryBatch, Body(description="one memory, or {items: [...]}")],
    workflow: MyWorkflow,
    session: SessionDep,
) -> MemoriesCreated:
    items = body.items if isinstance(body, MemoryBatch) else [body]
    ids = memory_service.add_memories(session=session, workflow=workflow, items=items)
    return MemoriesCreated(ids=ids, count=len(ids))


@router.get("", response_model=Page[MemoryPublic], responses=error_responses(401, 404, 422))
def list_memories(workflow: MyWorkflow, session: SessionDep, page: PageDep) -> Page[MemoryPublic]:
    items, total = memory_service.list_memories(session=session, workflow=workflow, page=page)
    return Page.of([MemoryPublic.model_validate(item) for item in items], total, page)


@router.get("/search", response_model=MemorySearchResults, responses=error_responses(401, 404, 422))
def search_memories(
    workflow: MyWorkflow,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    content_type: ContentType | None = None,
) -> MemorySearchResults:
    hits = memory_service.search(
        session=session, workflow_id=workflow.id, query=q, k=k, content_type=content_type
    )
    return MemorySearchResults(items=hits, total=len(hits), page_size=k)


@router.delete(
    "/{memory_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422)
)
def delete_memory(memory_id: uuid.UUID, workflow: MyWorkflow, session: SessionDep) -> None:
    memory_service.delete_memory(session=session, workflow=workflow, memory_id=memory_id)
