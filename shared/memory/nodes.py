"""The engine's memory nodes (architecture §4), registered into the executor registry."""

from typing import Any

from sqlalchemy.orm import Session

from shared.engine.context import RunContext
from shared.engine.registry import executor
from shared.memory import service as memory_service
from shared.memory.schemas import MemoryCreate
from shared.workflows.models import AgentWorkflow


@executor("memory_search")
def run_memory_search(
    data: dict[str, Any], ctx: RunContext, session: Session, timeout: float
) -> tuple[dict, Any]:
    query = ctx.render(data["query"], "data.query")
    k = int(data.get("k", 5))
    hits = memory_service.search(
        session=session, workflow_id=ctx.workflow_id, query=query, k=k, content_type=data.get("content_type")
    )
    results = [
        {"id": str(h.id), "content": h.content, "score": h.score, "meta_data": h.meta_data} for h in hits
    ]
    return {"query": query, "k": k}, {"results": results}


@executor("memory_write")
def run_memory_write(
    data: dict[str, Any], ctx: RunContext, session: Session, timeout: float
) -> tuple[dict, Any]:
    content = ctx.render(data["content"], "data.content")
    item = MemoryCreate(
        content=content, content_type=data.get("content_type", "fact"), meta_data=data.get("meta_data") or {}
    )
    workflow = session.get(AgentWorkflow, ctx.workflow_id)
    assert workflow is not None
    [memory_id] = memory_service.add_memories(session=session, workflow=workflow, items=[item], commit=False)[
        :1
    ]
    return {"content_type": item.content_type}, {"id": str(memory_id)}
