"""Filtered vector search over 100k memories in 100 workflows (synthetic clustered unit vectors):
p50/p99 latency, recall@10 against exact search, result counts, per ef_search, with the load and index
build times and the table's and index's sizes; then ingest through the route (`POST
/v1/workflows/{id}/memories` with 100 short texts, through MemoriesFunction's handler: auth, embedding,
one multi-row insert) in memories per second. Prints tables.

    .venv/bin/python -m bench.memory_search [--memories 100000] [--workflows 100] [--queries 200]
    .venv/bin/python -m bench.memory_search --memories 1000000 --workflows 1000   # issue 22's scale
"""

import argparse
import io
import statistics
import struct
import sys
import time
import uuid
from pathlib import Path

import numpy as np

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]
DIMS = 384
COPY_COLUMNS = "id, workflow_id, content, content_type, meta_data, embedding, embedding_model"
COPY_SQL = f"COPY agent_memories ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)"
COPY_CHUNK = 50_000
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


def binary_copy(vectors: np.ndarray, owners: np.ndarray, workflow_ids: list, first: int) -> bytes:
    """COPY's binary format for the rows of COPY_COLUMNS: a vector is its dimension count, a reserved
    int16 and big-endian float4s (pgvector's binary form), so numpy writes it without text formatting."""
    fixed = [
        None,  # id
        None,  # workflow_id
        None,  # content
        b"fact",
        b"\x01{}",  # jsonb: version 1, then the text
        None,  # embedding
        b"synthetic",
    ]
    out = [b"PGCOPY\n\xff\r\n\x00", struct.pack("!ii", 0, 0)]
    header = struct.pack("!hh", DIMS, 0)
    big_endian = vectors.astype(">f4")
    for index, vector in enumerate(big_endian):
        fields = list(fixed)
        fields[0] = uuid.uuid4().bytes
        fields[1] = workflow_ids[owners[index]].bytes
        fields[2] = f"memory {first + index}".encode()
        fields[5] = header + vector.tobytes()
        out.append(struct.pack("!h", len(fields)))
        for field in fields:
            out.append(struct.pack("!i", len(field)) + field)
    out.append(struct.pack("!h", -1))
    return b"".join(out)


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
            for start in range(0, len(vectors), COPY_CHUNK):  # chunks: a million rows are ~1.6 GB
                chunk = vectors[start : start + COPY_CHUNK]
                cursor.execute(
                    COPY_SQL, stream=io.BytesIO(binary_copy(chunk, owners[start:], workflow_ids, start))
                )
                log(f"  {start + len(chunk)}/{len(vectors)} rows copied")
            raw.commit()
            load_seconds = time.perf_counter() - started
            log("building the HNSW index (m=16, ef_construction=64) ...")
            started = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(INDEX_SQL)
            cursor.execute("ANALYZE agent_memories")
            raw.commit()
            index_seconds = time.perf_counter() - started
            cursor.execute(
                "SELECT pg_table_size('agent_memories'), pg_relation_size('ix_agent_memories_embedding_hnsw')"
            )
            table_bytes, index_bytes = cursor.fetchone()
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

        log("ingest: 10 requests of 100 short texts through MemoriesFunction's handler ...")
        ingest_rate = ingest_through_the_route(user_id, workflow_ids[0])
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id == user_id))

    print(
        f"{len(vectors)} memories in {args.workflows} workflows, {args.queries} filtered queries, k={args.k} "
        f"(load {load_seconds:.0f} s, HNSW build {index_seconds:.0f} s; table {table_bytes / 1e6:.0f} MB, "
        f"HNSW index {index_bytes / 1e6:.0f} MB)\n"
    )
    print("| ef_search | p50 ms | p99 ms | recall@10 | fewest results |")
    print("|---|---|---|---|---|")
    for ef, p50, p99, recall, fewest in table:
        print(f"| {ef} | {p50:.1f} | {p99:.1f} | {recall:.3f} | {fewest} |")
    print(f"\n| ingest (POST .../memories, 100 short texts per request) | {ingest_rate:.0f} memories/s |")


def ingest_through_the_route(user_id: uuid.UUID, workflow_id: uuid.UUID) -> float:
    """Memories per second of `POST /v1/workflows/{id}/memories` with 100 short texts per request, an
    API Gateway event through MemoriesFunction's handler (after one warm-up request)."""
    from infra.local.lambdas import LocalLambdaContext, load_function
    from shared.auth.sessions import ClientInfo, issue_tokens
    from shared.db import session_scope
    from shared.users.models import User

    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        token = issue_tokens(session=session, user=user, client=ClientInfo()).access_token
    handler = load_function("functions/memories").handler
    context = LocalLambdaContext("bench-memories")

    def post(texts: list[str]) -> None:
        event = setup.api_gateway_event(
            "POST",
            f"/v1/workflows/{workflow_id}/memories",
            route_key="ANY /v1/workflows/{workflow_id}/memories/{proxy+}",
            body={"items": [{"content": t} for t in texts]},
            headers={"authorization": f"Bearer {token}"},
        )
        response = handler(event, context)
        assert response["statusCode"] == 201, response["body"]

    texts = [
        f"Note {n}: the customer asked about order {n} and the delivery window on day {n % 7}."
        for n in range(1100)
    ]
    post(texts[:100])
    started = time.perf_counter()
    for offset in range(100, len(texts), 100):
        post(texts[offset : offset + 100])
    return (len(texts) - 100) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
