"""Filtered vector search over 100k memories in 100 workflows (synthetic clustered unit vectors):
p50/p99 latency, recall@10 against exact search, result counts, per ef_search; then end-to-end ingest
(embed + bulk insert) in memories per second. Prints tables.

    .venv/bin/python -m bench.memory_search [--memories 100000] [--workflows 100] [--queries 200]
"""

import argparse
import io
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]
DIMS = 384
COPY_COLUMNS = "id, workflow_id, content, content_type, meta_data, embedding, embedding_model"
COPY_SQL = f"COPY agent_memories ({COPY_COLUMNS}) FROM STDIN"
EXACT_SQL = (
    "SELECT id FROM agent_memories WHERE workflow_id = :w ORDER BY embedding <=> CAST(:q AS vector) LIMIT :k"
)
INDEX_SQL = (
    "CREATE INDEX ix_agent_memories_embedding_hnsw ON agent_memories "
    "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
)
EXACT_SQL = (
    "SELECT id FROM agent_memories WHERE workflow_id = :w ORDER BY embedding <=> CAST(:q AS vector) LIMIT :k"
)


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def clustered_vectors(rng: np.random.Generator, count: int, topics: int) -> np.ndarray:
    centroids = rng.normal(size=(topics, DIMS))
    vectors = centroids[rng.integers(0, topics, count)] + rng.normal(scale=0.6, size=(count, DIMS))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--workflows", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    setup.prepare()
    from sqlalchemy import delete, text

    from shared.config import settings
    from shared.db import get_engine, session_scope
    from shared.memory import service as memory_service
    from shared.memory.schemas import MemoryCreate
    from shared.users.models import User
    from shared.workflows.models import AgentWorkflow

    rng = np.random.default_rng(42)
    with session_scope() as session:
        user = User(
            email=f"bench-{uuid.uuid4().hex[:8]}@example.com", username=f"bench_{uuid.uuid4().hex[:8]}"
        )
        session.add(user)
        session.flush()
        workflows = [
            AgentWorkflow(user_id=user.id, name=f"w{n}", slug=f"bench-{uuid.uuid4().hex}", version_history=[])
            for n in range(args.workflows)
        ]
        session.add_all(workflows)
        session.flush()
        workflow_ids, user_id = [w.id for w in workflows], user.id
    try:
        per_workflow = args.memories // args.workflows
        vectors = clustered_vectors(rng, per_workflow * args.workflows, topics=args.workflows * 10)
        owners = np.repeat(np.arange(args.workflows), per_workflow)
        log(f"loading {len(vectors)} memories with COPY ...")
        started = time.perf_counter()
        raw = get_engine().raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("DROP INDEX IF EXISTS ix_agent_memories_embedding_hnsw")
            buffer = io.StringIO()
            for index, (vector, owner) in enumerate(zip(vectors, owners, strict=True)):
                literal = "[" + ",".join(f"{v:.5f}" for v in vector) + "]"
                row = (
                    uuid.uuid4(),
                    workflow_ids[owner],
                    f"memory {index}",
                    "fact",
                    "{}",
                    literal,
                    "synthetic",
                )
                buffer.write("\t".join(map(str, row)) + "\n")
            buffer.seek(0)
            cursor.execute(
                COPY_SQL,
                stream=buffer,
            )
            raw.commit()
            load_seconds = time.perf_counter() - started
            log("building the HNSW index (m=16, ef_construction=64) ...")
            started = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(INDEX_SQL)
            cursor.execute("ANALYZE agent_memories")
            raw.commit()
            index_seconds = time.perf_counter() - started
        finally:
            raw.close()
        log(f"loaded in {load_seconds:.0f}s, indexed in {index_seconds:.0f}s")

        picks = rng.integers(0, len(vectors), args.queries)
        queries = vectors[picks] + rng.normal(scale=0.02, size=(args.queries, DIMS)).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        query_owners = owners[picks]

        def exact(session, workflow_id, vector):  # type: ignore[no-untyped-def]
            session.execute(text("SET LOCAL enable_indexscan = off"))
            rows = (
                session.execute(
                    text(EXACT_SQL),
                    {"w": workflow_id, "q": "[" + ",".join(map(str, vector.tolist())) + "]", "k": args.k},
                )
                .scalars()
                .all()
            )
            session.rollback()
            return set(rows)

        with session_scope() as session:
            truth = [exact(session, workflow_ids[o], q) for q, o in zip(queries, query_owners, strict=True)]
        table = []
        for ef in (40, 100, 200):
            settings.MEMORY_SEARCH_EF = ef
            latencies, recalls, counts = [], [], []
            with session_scope() as session:
                for vector, owner, expected in zip(queries, query_owners, truth, strict=True):
                    started = time.perf_counter()
                    hits = memory_service.search_vector(
                        session=session, workflow_id=workflow_ids[owner], vector=vector.tolist(), k=args.k
                    )
                    latencies.append((time.perf_counter() - started) * 1000)
                    session.rollback()
                    counts.append(len(hits))
                    recalls.append(len({h.id for h in hits} & expected) / args.k)
            latencies.sort()
            table.append(
                (
                    ef,
                    statistics.median(latencies),
                    latencies[int(len(latencies) * 0.99) - 1],
                    statistics.mean(recalls),
                    min(counts),
                )
            )
            log(f"ef_search {ef}: done")

        log("ingest: embedding and inserting 1000 memories through the service ...")
        texts = [
            f"Note {n}: the customer asked about order {n} and the delivery window on day {n % 7}."
            for n in range(1000)
        ]
        with session_scope() as session:
            workflow = session.get(AgentWorkflow, workflow_ids[0])
            started = time.perf_counter()
            for offset in range(0, len(texts), 100):
                memory_service.add_memories(
                    session=session,
                    workflow=workflow,
                    items=[MemoryCreate(content=t) for t in texts[offset : offset + 100]],
                )
            ingest_rate = len(texts) / (time.perf_counter() - started)
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id == user_id))

    print(
        f"{len(vectors)} memories in {args.workflows} workflows, {args.queries} filtered queries, k={args.k} "
        f"(load {load_seconds:.0f} s, HNSW build {index_seconds:.0f} s)\n"
    )
    print("| ef_search | p50 ms | p99 ms | recall@10 | fewest results |")
    print("|---|---|---|---|---|")
    for ef, p50, p99, recall, fewest in table:
        print(f"| {ef} | {p50:.1f} | {p99:.1f} | {recall:.3f} | {fewest} |")
    print(f"\n| ingest (embed + insert, batches of 100) | {ingest_rate:.0f} memories/s |")


if __name__ == "__main__":
    main()
