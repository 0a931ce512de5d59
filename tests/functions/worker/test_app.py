"""WorkerFunction: SQS batches in, partial batch failures out, against committed rows."""

import copy
import json
import uuid
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from sqlalchemy import delete, event, func, select

from shared.db import get_engine, session_scope
from shared.executions import worker
from shared.executions.models import AgentExecution
from shared.queue.models import QueueJob
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.graphs import greeting_graph
from tests.lambda_support import FakeLambdaContext, load_event, load_function


@pytest.fixture
def committed(engine, aws):  # type: ignore[no-untyped-def]
    """A committed user with a greeting workflow; everything is deleted afterwards."""
    with session_scope() as session:
        user = User(
            email=f"worker-{uuid.uuid4().hex[:8]}@example.com", username=f"worker_{uuid.uuid4().hex[:8]}"
        )
        session.add(user)
        session.flush()
        workflow, _ = workflow_service.create_workflow(
            session=session, user=user, request=WorkflowCreate(name="Greeter", graph_json=greeting_graph())
        )
        ids = {"user_id": user.id, "workflow_id": workflow.id}
    yield ids
    with session_scope() as session:
        session.execute(delete(User).where(User.id == ids["user_id"]))
        # the jobs the worker tracked for this test's sample records
        session.execute(delete(QueueJob).where(QueueJob.message_id.like("message-%")))


def pending_execution(workflow_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID:
    with session_scope() as session:
        execution = AgentExecution(
            workflow_id=workflow_id, user_id=user_id, workflow_version=1, input_data={"name": "Ada", "n": 5}
        )
        session.add(execution)
        session.flush()
        return execution.id


def sqs_event(*bodies: str, receive_count: int = 1) -> dict:
    template = load_event("sqs_execution_run.json")["Records"][0]
    records = []
    for n, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record.update(messageId=f"message-{n}", body=body)
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def run_body(execution_id: uuid.UUID) -> str:
    return json.dumps({"type": "execution.run", "execution_id": str(execution_id)})


def status_of(execution_id: uuid.UUID) -> AgentExecution:
    with session_scope() as session:
        return session.get(AgentExecution, execution_id)


def test_a_batch_runs_its_executions_and_reports_no_failures(committed):
    first = pending_execution(**committed)
    second = pending_execution(**committed)
    function = load_function("functions/worker")
    response = function.handler(sqs_event(run_body(first), run_body(second)), FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    assert status_of(first).status == status_of(second).status == "completed"
    assert status_of(first).output_data == {"greeting": "Hello Ada!"}


def test_a_duplicate_delivery_in_the_same_batch_runs_once(committed):
    execution_id = pending_execution(**committed)
    function = load_function("functions/worker")
    response = function.handler(
        sqs_event(run_body(execution_id), run_body(execution_id)), FakeLambdaContext()
    )
    assert response == {"batchItemFailures": []}
    assert len(status_of(execution_id).execution_log) == 4


def test_one_bad_record_fails_only_itself(committed):
    good = pending_execution(**committed)
    function = load_function("functions/worker")
    response = function.handler(sqs_event("not json", run_body(good)), FakeLambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert status_of(good).status == "completed"


def test_the_last_delivery_before_the_dlq_fails_the_execution_with_the_reason(committed, monkeypatch):
    execution_id = pending_execution(**committed)

    def database_trouble(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("connection reset by peer")

    monkeypatch.setattr(worker, "run_execution", database_trouble)
    function = load_function("functions/worker")
    # a batch whose every record failed raises, so Lambda hands the whole batch back to SQS
    with pytest.raises(BatchProcessingError):
        function.handler(sqs_event(run_body(execution_id), receive_count=2), FakeLambdaContext())
    assert status_of(execution_id).status == "pending"  # SQS will deliver it again
    with pytest.raises(BatchProcessingError):
        function.handler(sqs_event(run_body(execution_id), receive_count=5), FakeLambdaContext())
    execution = status_of(execution_id)
    assert execution.status == "failed"
    assert execution.error_message == "gave up after 5 deliveries: RuntimeError: connection reset by peer"


def test_a_scheduled_fire_creates_one_execution_however_often_it_is_delivered(committed):
    with session_scope() as session:
        from shared.workflows.models import AgentWorkflow

        workflow = session.get(AgentWorkflow, committed["workflow_id"])
        workflow.trigger_type = "schedule"
        workflow.trigger_config = {
            "cron": "0 9 * * *",
            "timezone": "UTC",
            "enabled": True,
            "input": {"name": "Cron", "n": 9},
        }
    body = json.dumps(
        {
            "type": "workflow.scheduled",
            "workflow_id": str(committed["workflow_id"]),
            "scheduled_at": "2026-11-22T09:00:00Z",
        }
    )
    function = load_function("functions/worker")
    assert function.handler(sqs_event(body, body), FakeLambdaContext()) == {"batchItemFailures": []}
    assert function.handler(sqs_event(body), FakeLambdaContext()) == {"batchItemFailures": []}
    with session_scope() as session:
        runs = session.scalars(
            select(AgentExecution).where(AgentExecution.workflow_id == committed["workflow_id"])
        ).all()
        assert len(runs) == 1
        [run] = runs
        assert (run.trigger_type, run.status, run.input_data) == (
            "schedule",
            "completed",
            {"name": "Cron", "n": 9},
        )
        assert run.scheduled_at == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_a_fire_for_a_workflow_no_longer_scheduled_is_dropped(committed):
    body = json.dumps(
        {
            "type": "workflow.scheduled",
            "workflow_id": str(committed["workflow_id"]),
            "scheduled_at": "2026-11-22T09:00:00Z",
        }
    )
    assert load_function("functions/worker").handler(sqs_event(body), FakeLambdaContext()) == {
        "batchItemFailures": []
    }
    with session_scope() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AgentExecution)
            .where(AgentExecution.workflow_id == committed["workflow_id"])
        )
        assert count == 0


def test_a_connection_analyze_message_analyses_the_database_connection(committed, shop):
    # GIVEN a committed, pending connection to the shop
    from shared.connections.models import DatabaseConnection, TableInsight
    from tests.shop import SHOP_TABLES

    with session_scope() as session:
        connection = DatabaseConnection(
            user_id=committed["user_id"],
            name="Shop",
            host=shop.host,
            port=shop.port,
            database=shop.database,
            username=shop.username,
        )
        session.add(connection)
        session.flush()
        connection_id = connection.id
    body = json.dumps({"type": "connection.analyze", "connection_id": str(connection_id)})
    # WHEN the worker receives its message (twice: a duplicate delivery)
    function = load_function("functions/worker")
    assert function.handler(sqs_event(body, body), FakeLambdaContext()) == {"batchItemFailures": []}
    # THEN it is analysed once, ready with an insight per table
    with session_scope() as session:
        assert session.get(DatabaseConnection, connection_id).status == "ready"
        insights = session.scalar(select(func.count()).where(TableInsight.connection_id == connection_id))
        assert insights == SHOP_TABLES


def test_a_connection_chat_message_for_no_pending_answer_is_done(committed):
    body = json.dumps({"type": "connection.chat", "message_id": str(uuid.uuid4())})
    response = load_function("functions/worker").handler(sqs_event(body), FakeLambdaContext())
    assert response == {"batchItemFailures": []}


def sent_jobs(*execution_ids: uuid.UUID) -> list[uuid.UUID]:
    """The jobs shared.queue.service.send would have created for these runs (queued, committed)."""
    from shared.queue import jobs, messages
    from shared.queue.models import QueueName

    with session_scope() as session:
        made = [
            jobs.new_job(messages.ExecutionRun(execution_id=e), queue=QueueName.EXECUTIONS, task_id=None)
            for e in execution_ids
        ]
        session.add_all(made)
        session.flush()
        return [job.id for job in made]


def naming_jobs(event: dict, job_ids: list[uuid.UUID]) -> dict:
    for record, job_id in zip(event["Records"], job_ids, strict=True):
        record["messageAttributes"] = {"job_id": {"stringValue": str(job_id), "dataType": "String"}}
    return event


def test_the_jobs_a_batch_names_start_and_complete_together_with_each_records_result(committed):
    runs = [pending_execution(**committed) for _ in range(3)]
    job_ids = sent_jobs(*runs)
    try:
        event = naming_jobs(sqs_event(*map(run_body, runs), receive_count=2), job_ids)
        assert load_function("functions/worker").handler(event, FakeLambdaContext()) == {
            "batchItemFailures": []
        }
        with session_scope() as session:
            tracked = {
                job.id: job for job in session.scalars(select(QueueJob).where(QueueJob.id.in_(job_ids)))
            }
            for run, job_id, n in zip(runs, job_ids, range(3), strict=True):
                job = tracked[job_id]
                assert (job.status, job.attempts, job.progress) == ("completed", 2, 100)
                assert job.message_id == f"message-{n}" and job.started_at and job.completed_at
                assert job.result == {"execution_id": str(run), "status": "completed"}
    finally:
        with session_scope() as session:
            session.execute(delete(QueueJob).where(QueueJob.id.in_(job_ids)))


def test_in_a_batch_a_failing_records_job_fails_and_the_others_complete(committed):
    good = pending_execution(**committed)
    job_ids = sent_jobs(good, good)
    try:
        event = naming_jobs(sqs_event("not json", run_body(good)), job_ids)
        response = load_function("functions/worker").handler(event, FakeLambdaContext())
        assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
        with session_scope() as session:
            failed, completed = (session.get(QueueJob, job_id) for job_id in job_ids)
            assert failed.status == "failed" and "MalformedMessage" in (failed.error or "")
            assert completed.status == "completed"
    finally:
        with session_scope() as session:
            session.execute(delete(QueueJob).where(QueueJob.id.in_(job_ids)))


def transactions_of(engine):  # type: ignore[no-untyped-def]
    """The statements of each transaction the engine commits, in order (a context manager's list)."""
    committed: list[list[str]] = []
    current: list[str] = []

    def statement(conn, cursor, sql, parameters, context, executemany):  # type: ignore[no-untyped-def]
        current.append(sql)

    def commit(conn):  # type: ignore[no-untyped-def]
        committed.append(list(current))
        current.clear()

    def rollback(conn):  # type: ignore[no-untyped-def]
        current.clear()

    listeners = [("before_cursor_execute", statement), ("commit", commit), ("rollback", rollback)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    return committed, lambda: [event.remove(engine, name, listener) for name, listener in listeners]


def test_a_batch_waits_for_the_disk_once_when_its_jobs_complete(committed):
    runs = [pending_execution(**committed) for _ in range(3)]
    job_ids = sent_jobs(*runs)
    transactions, stop = transactions_of(get_engine())
    try:
        event_ = naming_jobs(sqs_event(*map(run_body, runs)), job_ids)
        assert load_function("functions/worker").handler(event_, FakeLambdaContext()) == {
            "batchItemFailures": []
        }
    finally:
        stop()
        with session_scope() as session:
            session.execute(delete(QueueJob).where(QueueJob.id.in_(job_ids)))
    waits = ["SET LOCAL synchronous_commit TO OFF" not in transaction for transaction in transactions]
    ends = [t for t in transactions if any(s.startswith("WITH counted") for s in t)]
    assert len(ends) == 3  # each run's claim and result, one transaction that does not wait
    assert all("SET LOCAL synchronous_commit TO OFF" in transaction for transaction in ends)
    # the last commit completes the jobs, and waits: every result before it is then on disk too
    assert waits == [False] * (len(transactions) - 1) + [True]
    assert any(s.startswith("UPDATE queue_jobs") for s in transactions[-1])
    assert all(status_of(run).status == "completed" for run in runs)


def test_a_batchs_run_takes_two_round_trips_its_claim_and_its_end_carrying_the_commit(committed):
    from tests.db_support import counted

    warm_up = pending_execution(**committed)  # the workflow's version is read once per container
    warming = sqs_event(run_body(warm_up))
    warming["Records"][0]["messageId"] = "message-warm-up"
    load_function("functions/worker").handler(warming, FakeLambdaContext())
    runs = [pending_execution(**committed) for _ in range(3)]
    job_ids = sent_jobs(*runs)
    with get_engine().connect() as connection:  # the pool's one connection, which the handler uses next
        driver = connection.connection.dbapi_connection
    try:
        event_ = naming_jobs(sqs_event(*map(run_body, runs)), job_ids)
        with counted(driver) as sock:
            assert load_function("functions/worker").handler(event_, FakeLambdaContext()) == {
                "batchItemFailures": []
            }
        # the jobs start in one, each run's claim and end in two, the jobs complete in one
        assert sock.flushes == 1 + 2 * len(runs) + 1
    finally:
        with session_scope() as session:
            session.execute(delete(QueueJob).where(QueueJob.id.in_(job_ids)))
    assert all(status_of(run).status == "completed" for run in runs)
