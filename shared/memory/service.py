"""RAG memory of a workflow: chunk, embed, store, search by meaning (pgvector HNSW, cosine)."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from shared import quotas
from shared.api.pagination import PageParams, paginate
from shared.config import settings
from shared.embedding.service import embedding_service
from shared.errors import NotFoundError
from shared.memory.models import AgentMemory
from shared.memory.schemas import MemoryCreate, MemorySearchHit
from shared.workflows.models import AgentWorkflow

INSERT_ROWS = 1000  # 7 parameters a row: far below PostgreSQL's 65,535 per statement


def chunks(content: str, size: int | None = None, overlap: int | None = None) -> list[str]:
    """Overlapping windows of a long document, cut at whitespace when one is near."""
    size = size or settings.MEMORY_CHUNK_CHARS
    overlap = settings.MEMORY_CHUNK_OVERLAP if overlap is None else overlap
    if len(content) <= size:
        return [content]
    pieces, start = [], 0
    while start < len(content):
        end = min(start + size, len(content))
        if end < len(content):
            cut = content.rfind(" ", start + size // 2, end)
            end = cut if cut > 0 else end
        pieces.append(content[start:end].strip())
        if end >= len(content):
            break
        start = max(end - overlap, start + 1)
    return [piece for piece in pieces if piece]


def expand(items: list[MemoryCreate]) -> Iterator[dict[str, Any]]:
    """One row per memory, or per chunk of a long document (chunks share a document_id)."""
    for item in items:
        parts = chunks(item.content) if item.content_type == "document" else [item.content]
        document_id = str(uuid.uuid4())
        for index, part in enumerate(parts):
            meta = dict(item.meta_data)
            if len(parts) > 1:
                meta.update(document_id=document_id, chunk=index, chunks=len(parts))
            yield {"content": part, "content_type": item.content_type, "meta_data": meta}


def add_memories(
    *, session: Session, workflow: AgentWorkflow, items: list[MemoryCreate], commit: bool = True
) -> list[uuid.UUID]:
    """Embed and insert memories in one batch; returns the new ids."""
    rows = list(expand(items))
    quotas.check_memory_room(session, workflow.id, len(rows))
    vectors = embedding_service.embed_batch([row["content"] for row in rows])
    model_name = embedding_service.model_name
    records = [
        {
            **row,
            "id": uuid.uuid4(),
            "workflow_id": workflow.id,
            "embedding": vector,
            "embedding_model": model_name,
        }
        for row, vector in zip(rows, vectors, strict=True)
    ]
    for start in range(0, len(records), INSERT_ROWS):  # one multi-row INSERT per INSERT_ROWS rows
        session.execute(insert(AgentMemory).values(records[start : start + INSERT_ROWS]))
    if commit:
        session.commit()
    return [record["id"] for record in records]


def list_memories(
    *, session: Session, workflow: AgentWorkflow, page: PageParams
) -> tuple[list[AgentMemory], int]:
    query = (
        select(AgentMemory)
        .where(AgentMemory.workflow_id == workflow.id)
        .order_by(AgentMemory.created_at.desc(), AgentMemory.id)
    )
    return paginate(session, query, page)


def delete_memory(*, session: Session, workflow: AgentWorkflow, memory_id: uuid.UUID) -> None:
    deleted = session.execute(
        delete(AgentMemory)
        .where(AgentMemory.id == memory_id, AgentMemory.workflow_id == workflow.id)
        .returning(AgentMemory.id)
    ).first()
    if deleted is None:
        raise NotFoundError("Memory not found")
    session.commit()


def search_vector(
    *, session: Session, workflow_id: uuid.UUID, vector: list[float], k: int, content_type: str | None = None
) -> list[MemorySearchHit]:
    """The k nearest memories of one workflow. HNSW iterative scans keep going until the workflow
    filter has let k rows through, so a workflow among many still gets k results when it has them."""
    session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    session.execute(text(f"SET LOCAL hnsw.ef_search = {int(settings.MEMORY_SEARCH_EF)}"))
    distance = AgentMemory.embedding.cosine_distance(vector)
    query = select(AgentMemory, distance.label("distance")).where(
        AgentMemory.workflow_id == workflow_id,
        AgentMemory.embedding.is_not(None),  # a row awaiting `reindex` has no place among neighbours
    )
    if content_type is not None:
        query = query.where(AgentMemory.content_type == content_type)
    rows = session.execute(query.order_by(distance).limit(k)).all()
    hits = [
        MemorySearchHit(
            id=row.AgentMemory.id,
            content=row.AgentMemory.content,
            content_type=row.AgentMemory.content_type,
            meta_data=row.AgentMemory.meta_data,
            score=round(1.0 - float(row.distance), 6),
        )
        for row in rows
    ]
    # relaxed_order may return neighbours slightly out of order
    return sorted(hits, key=lambda hit: hit.score, reverse=True)


def search(
    *, session: Session, workflow_id: uuid.UUID, query: str, k: int, content_type: str | None = None
) -> list[MemorySearchHit]:
    return search_vector(
        session=session,
        workflow_id=workflow_id,
        vector=embedding_service.generate_embedding(query),
        k=k,
        content_type=content_type,
    )


def reindex(
    *, session: Session, batch_size: int = 256, progress: Callable[[int, int], None] | None = None
) -> int:
    """Re-embed every memory made by another model (or none) with the current one."""
    current = embedding_service.model_name
    stale = (AgentMemory.embedding_model.is_(None)) | (AgentMemory.embedding_model != current)
    total = session.scalar(select(func.count()).select_from(AgentMemory).where(stale)) or 0
    done = 0
    while True:
        batch = session.execute(
            select(AgentMemory.id, AgentMemory.content).where(stale).limit(batch_size)
        ).all()
        if not batch:
            break
        vectors = embedding_service.embed_batch([row.content for row in batch])
        for row, vector in zip(batch, vectors, strict=True):
            session.execute(
                AgentMemory.__table__.update()
                .where(AgentMemory.id == row.id)
                .values(embedding=vector, embedding_model=current)
            )
        session.commit()
        done += len(batch)
        if progress:
            progress(done, total)
    return done
