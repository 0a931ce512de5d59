"""Executions per second through the worker Lambda handler: a 5-node template/condition workflow,
SQS batches of 10, a real PostgreSQL. Each message carries its queue job's id, as
`shared.queue.service.send` sends it (the job is created with the execution, before the message).
Prints a table, with the round trips to the database per execution (the batch's own included): each
crosses the network in AWS; and the CPU time of this process per execution, which with the round
trips' waiting makes up an execution's time (PostgreSQL runs on the same machine).

    .venv/bin/python -m bench.worker [--executions 1000] [--batch 10]
"""

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]
GRAPH = {
    "nodes": [
        {"id": "in", "type": "input", "data": {}, "position": {"x": 0, "y": 0}},
        {
            "id": "greet",
            "type": "template",
            "data": {"template": "Hello {{ input.name }}"},
            "position": {"x": 0, "y": 1},
        },
        {
            "id": "check",
            "type": "condition",
            "data": {"expression": "input.n > 3"},
            "position": {"x": 0, "y": 2},
        },
        {
            "id": "loud",
            "type": "template",
            "data": {"template": "{{ nodes.greet.text | upper }}!"},
            "position": {"x": 0, "y": 3},
        },
        {
            "id": "out",
            "type": "output",
            "data": {"values": {"text": "{{ nodes.loud.text }}"}},
            "position": {"x": 0, "y": 4},
        },
    ],
    "edges": [
        {"id": "e1", "source": "in", "target": "greet"},
        {"id": "e2", "source": "greet", "target": "check"},
        {"id": "e3", "source": "check", "target": "loud", "sourceHandle": "true"},
        {"id": "e4", "source": "loud", "target": "out"},
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    setup.prepare(DB_POOL_SIZE="2")
    from sqlalchemy import delete, func, select

    from infra.local.lambdas import LocalLambdaContext, load_function
    from shared.db import session_scope
    from shared.executions.models import AgentExecution
    from shared.queue import jobs, messages
    from shared.queue.models import QueueJob, QueueName
    from shared.queue.service import JOB_ID_ATTRIBUTE
    from shared.users.models import User
    from shared.workflows import service as workflow_service
    from shared.workflows.schemas import WorkflowCreate

    with session_scope() as session:
        user = User(
            email=f"bench-{uuid.uuid4().hex[:8]}@example.com", username=f"bench_{uuid.uuid4().hex[:8]}"
        )
        session.add(user)
        session.flush()
        workflow, _ = workflow_service.create_workflow(
            session=session, user=user, request=WorkflowCreate(name="Bench", graph_json=GRAPH)
        )
        executions = [
            AgentExecution(
                workflow_id=workflow.id,
                user_id=user.id,
                workflow_version=1,
                input_data={"name": f"u{n}", "n": 5},
            )
            for n in range(args.executions)
        ]
        session.add_all(executions)
        session.flush()
        queued = [
            jobs.new_job(messages.ExecutionRun(execution_id=e.id), queue=QueueName.EXECUTIONS, task_id=None)
            for e in executions
        ]
        session.add_all(queued)
        session.flush()
        ids, job_ids, user_id = [e.id for e in executions], [j.id for j in queued], user.id
    handler = load_function("functions/worker").handler
    context = LocalLambdaContext("bench-worker")
    round_trips = setup.count_round_trips()
    batch_seconds = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for offset in range(0, len(ids), args.batch):
        records = [
            {
                "messageId": str(execution_id),
                "receiptHandle": "bench",
                "body": json.dumps({"type": "execution.run", "execution_id": str(execution_id)}),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {JOB_ID_ATTRIBUTE: {"stringValue": str(job_id), "dataType": "String"}},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench",
                "awsRegion": "us-east-1",
            }
            for execution_id, job_id in zip(
                ids[offset : offset + args.batch], job_ids[offset : offset + args.batch], strict=True
            )
        ]
        batch_started = time.perf_counter()
        response = handler({"Records": records}, context)
        batch_seconds.append(time.perf_counter() - batch_started)
        assert response == {"batchItemFailures": []}, response
        if offset // args.batch % 20 == 0:
            print(f"  {offset + len(records)}/{len(ids)} executions", file=sys.stderr, flush=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    per_execution = round_trips.count / len(ids)
    with session_scope() as session:
        completed = session.scalar(
            select(func.count())
            .select_from(AgentExecution)
            .where(AgentExecution.id.in_(ids), AgentExecution.status == "completed")
        )
        session.execute(delete(User).where(User.id == user_id))
        session.execute(delete(QueueJob).where(QueueJob.id.in_(job_ids)))
    assert completed == len(ids), f"only {completed} of {len(ids)} completed"
    p50 = statistics.median(batch_seconds) * 1000
    p95 = sorted(batch_seconds)[int(len(batch_seconds) * 0.95) - 1] * 1000
    print(
        "| executions | batch size | seconds | executions/s | batch p50 ms | batch p95 ms"
        " | round trips per execution | client CPU ms per execution |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {len(ids)} | {args.batch} | {elapsed:.2f} | {len(ids) / elapsed:.0f} | {p50:.1f} | {p95:.1f}"
        f" | {per_execution:.1f} | {cpu / len(ids) * 1000:.1f} |"
    )


if __name__ == "__main__":
    main()
