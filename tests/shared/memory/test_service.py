"""Vector search filtered to one workflow among many still returns k results; reindex; chunking;
inserts of many memories."""

import itertools
import random
import uuid

from sqlalchemy import insert, select

from shared.memory import service as memory_service
from shared.memory.models import AgentMemory
from shared.memory.schemas import MemoryCreate
from tests.factories import make_user, make_workflow


def unit(rng: random.Random) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(384)]
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


def test_a_filtered_search_returns_k_results_among_many_workflows(db):
    # GIVEN 40 workflows with 50 memories each, and the index in use
    rng = random.Random(7)
    user = make_user(db)
    workflows = [make_workflow(db, user) for _ in range(40)]
    rows = [
        {
            "id": uuid.uuid4(),
            "workflow_id": w.id,
            "content": f"m{i}",
            "content_type": "fact",
            "meta_data": {},
            "embedding": unit(rng),
            "embedding_model": "synthetic",
        }
        for w in workflows
        for i in range(50)
    ]
    db.execute(insert(AgentMemory), rows)
    target = workflows[17]
    # WHEN one workflow is searched with k = 10 and k = 50
    for k in (10, 50):
        hits = memory_service.search_vector(session=db, workflow_id=target.id, vector=unit(rng), k=k)
        # THEN all k come back, all from that workflow, best first
        assert len(hits) == k
        ids = {
            row.id for row in db.execute(select(AgentMemory.id).where(AgentMemory.workflow_id == target.id))
        }
        assert {hit.id for hit in hits} <= ids
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_chunks_overlap_and_cover_the_document():
    text = " ".join(f"word{n}" for n in range(1000))
    pieces = memory_service.chunks(text, size=300, overlap=60)
    assert all(len(p) <= 300 for p in pieces)
    assert pieces[0].split()[0] == "word0" and pieces[-1].split()[-1] == "word999"
    for before, after in itertools.pairwise(pieces):
        assert before.split()[-1] in after


def test_reindex_re_embeds_rows_of_another_model(db):
    workflow = make_workflow(db, make_user(db))
    db.add(
        AgentMemory(
            workflow_id=workflow.id,
            content="Old embedding",
            embedding=[0.0] * 383 + [1.0],
            embedding_model="some-old-model",
        )
    )
    db.flush()
    progress = []
    assert (
        memory_service.reindex(session=db, batch_size=10, progress=lambda d, t: progress.append((d, t))) >= 1
    )
    row = db.scalar(select(AgentMemory).where(AgentMemory.workflow_id == workflow.id))
    assert row.embedding_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert progress[-1][0] == progress[-1][1]


def test_memories_past_one_statement_are_inserted_in_several_each_with_its_own_text(db, monkeypatch):
    # GIVEN statements of at most 2 rows
    monkeypatch.setattr(memory_service, "INSERT_ROWS", 2)
    workflow = make_workflow(db, make_user(db))
    items = [MemoryCreate(content=f"note number {n}") for n in range(5)]
    # WHEN 5 memories are added
    ids = memory_service.add_memories(session=db, workflow=workflow, items=items, commit=False)
    # THEN all 5 are stored, each under its id with its own text and embedding
    rows = db.scalars(select(AgentMemory).where(AgentMemory.workflow_id == workflow.id))
    stored = {row.id: row for row in rows}
    assert set(stored) == set(ids) and len(ids) == 5
    assert [stored[i].content for i in ids] == [f"note number {n}" for n in range(5)]
    assert len({tuple(stored[i].embedding) for i in ids}) == 5
