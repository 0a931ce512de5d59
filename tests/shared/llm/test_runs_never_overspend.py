"""Runs and credits: a run the balance cannot start is refused with 402 (a scheduled fire is recorded as
failed with the reason), and concurrent runs never spend more than the balance holds."""

import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import create_engine, delete, func, select, update
from sqlalchemy.orm import Session

from shared.executions import lifecycle, worker
from shared.executions.models import AgentExecution
from shared.llm import credits
from shared.llm.models import CreditTransaction
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.accounts import bearer, signup
from tests.conftest import TEST_MODEL
from tests.fakes.llm_provider import Completion
from tests.graphs import edge, graph, node

ONE_CALL = graph(
    [
        node("in", "input"),
        node("ask", "llm", prompt="Say hi", max_tokens=100),
        node("out", "output", values={"text": "{{ nodes.ask.text }}"}),
    ],
    [edge("in", "ask"), edge("ask", "out")],
)


def test_a_run_the_balance_cannot_start_is_402_and_creates_nothing(client, db, llm, aws):
    account = signup(client)
    user_id = uuid.UUID(account["user"]["id"])
    db.execute(update(User).where(User.id == user_id).values(credits=0, bonus_credits=0))
    created = client.post(
        "/v1/workflows",
        headers=bearer(account),
        json={"name": "Greeter", "graph_json": ONE_CALL, "llm_model": TEST_MODEL},
    ).json()
    response = client.post(f"/v1/workflows/{created['id']}/runs", headers=bearer(account), json={})
    assert response.status_code == 402
    assert response.json()["detail"].startswith("Not enough credits to run this workflow")
    assert db.scalar(select(func.count()).where(AgentExecution.workflow_id == uuid.UUID(created["id"]))) == 0


def test_a_scheduled_fire_the_balance_cannot_start_is_recorded_as_failed_with_the_reason(db, llm, aws):
    owner = User(email="broke@example.com", username="broke_owner")
    db.add(owner)
    db.flush()
    workflow, _ = workflow_service.create_workflow(
        session=db,
        user=owner,
        request=WorkflowCreate(
            name="Daily",
            graph_json=ONE_CALL,
            llm_model=TEST_MODEL,
            trigger_type="schedule",
            trigger_config={"cron": "0 9 * * *"},
        ),
    )
    fire = lifecycle.create_scheduled(
        session=db, workflow_id=workflow.id, scheduled_at=datetime(2026, 12, 1, 9, tzinfo=UTC)
    )
    execution = db.get(AgentExecution, fire)
    assert execution is not None and execution.status == "failed"
    assert execution.error_message.startswith("Not run: Not enough credits")


def test_twenty_concurrent_runs_against_a_balance_that_covers_five_make_at_most_five_llm_calls(
    admin_engine, llm
):
    # GIVEN an owner whose balances cover exactly five calls (0.09 each), and twenty pending runs
    engine = create_engine(admin_engine.url, pool_size=21, max_overflow=0)
    llm.script(Completion(text="hi", prompt_tokens=50, completion_tokens=20, delay=0.05))
    with Session(engine, expire_on_commit=False) as setup:
        owner = User(
            email=f"race-{uuid.uuid4().hex[:8]}@example.com", username=f"racer_{uuid.uuid4().hex[:8]}"
        )
        setup.add(owner)
        setup.flush()
        workflow, _ = workflow_service.create_workflow(
            session=setup,
            user=owner,
            request=WorkflowCreate(name="Racer", graph_json=ONE_CALL, llm_model=TEST_MODEL),
        )
        owner.bonus_credits, owner.credits = Decimal("0.2"), Decimal("0.25")
        runs = [
            lifecycle.new_execution(
                workflow_id=workflow.id,
                user_id=owner.id,
                workflow_version=1,
                input_data={},
                trigger_type="api",
            )
            for _ in range(20)
        ]
        setup.add_all(runs)
        setup.commit()
        owner_id, run_ids = owner.id, [run.id for run in runs]
    start = threading.Barrier(20)
    outcomes: dict[uuid.UUID, str | None] = {}

    def run(execution_id: uuid.UUID) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            outcomes[execution_id] = worker.run_execution(session=session, execution_id=execution_id)

    # WHEN the twenty run at once
    threads = [threading.Thread(target=run, args=(run_id,)) for run_id in run_ids]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # THEN at most five calls reached the model, the others failed saying why, and nothing is negative
        with Session(engine) as check:
            assert 1 <= len(llm.requests) <= 5
            completed = [run_id for run_id, status in outcomes.items() if status == "completed"]
            assert len(completed) == len(llm.requests)
            failures = check.scalars(
                select(AgentExecution.error_message).where(
                    AgentExecution.id.in_(run_ids), AgentExecution.status == "failed"
                )
            ).all()
            assert len(failures) == 20 - len(completed)
            assert all("Not enough credits" in message for message in failures)
            left = credits.balances(check, owner_id)
            assert left.credits >= 0 and left.bonus_credits >= 0
            charged = -check.scalar(
                select(func.sum(CreditTransaction.amount + CreditTransaction.bonus_amount)).where(
                    CreditTransaction.user_id == owner_id, CreditTransaction.kind == "consume"
                )
            )
            assert charged == len(completed) * Decimal("0.09")  # 50/1000·1 + 20/1000·2 each
            assert left.total == Decimal("0.45") - charged
            assert [request.body["max_tokens"] for request in llm.requests] == [100] * len(completed)
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(User).where(User.id == owner_id))
            cleanup.commit()
        engine.dispose()
