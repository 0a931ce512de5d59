"""MaintenanceFunction: nothing stays pending or running forever; expired rows go."""

import json
from datetime import timedelta
from decimal import Decimal

import boto3
from sqlalchemy import select, update

from shared.auth.models import OneTimeToken
from shared.config import get_utc_now
from shared.executions.maintenance import run_maintenance
from shared.executions.models import AgentExecution
from shared.llm import credits
from shared.llm.models import CreditHold
from tests.factories import make_execution, make_user, make_workflow


def age(db, held, by: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Make a hold look as old as a call whose worker died."""
    db.execute(update(CreditHold).where(CreditHold.id == held.id).values(created_at=get_utc_now() - by))


def test_stuck_running_executions_are_failed_with_the_reason(db, aws):
    workflow = make_workflow(db, make_user(db))
    stuck = make_execution(db, workflow, status="running", started_at=get_utc_now() - timedelta(hours=1))
    fresh = make_execution(db, workflow, status="running", started_at=get_utc_now())
    report = run_maintenance(db)
    assert report["failed_stuck"] == 1
    db.refresh(stuck)
    db.refresh(fresh)
    assert stuck.status == "failed" and "worker lost" in stuck.error_message
    assert fresh.status == "running"


def test_pending_executions_whose_message_was_lost_are_requeued(db, aws):
    workflow = make_workflow(db, make_user(db))
    lost = make_execution(db, workflow)
    make_execution(db, workflow)  # just created: its message is presumably on its way
    db.execute(
        update(AgentExecution)
        .where(AgentExecution.id == lost.id)
        .values(updated_at=get_utc_now() - timedelta(hours=1))
    )
    assert run_maintenance(db)["requeued_pending"] == 1
    sqs = boto3.client("sqs", region_name="us-east-1")
    [message] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"]) == {"type": "execution.run", "execution_id": str(lost.id)}
    assert run_maintenance(db)["requeued_pending"] == 0  # not again on the next tick


def test_expired_tokens_are_purged(db, aws):
    user = make_user(db)
    db.add(
        OneTimeToken(
            purpose="magic_link",
            email=user.email,
            user_id=user.id,
            token_hash="a" * 64,
            expires_at=get_utc_now() - timedelta(days=2),
        )
    )
    db.add(
        OneTimeToken(
            purpose="magic_link",
            email=user.email,
            user_id=user.id,
            token_hash="b" * 64,
            expires_at=get_utc_now() + timedelta(minutes=5),
        )
    )
    db.flush()
    assert run_maintenance(db)["purged_rows"] >= 1
    assert db.scalars(select(OneTimeToken.token_hash).where(OneTimeToken.user_id == user.id)).all() == [
        "b" * 64
    ]


def test_maintenance_gives_back_the_credits_of_calls_whose_worker_died(db):
    # GIVEN a hold left by a model call whose worker died an hour ago, and one of a call still running
    user = make_user(db, credits=Decimal("5"))
    lost = credits.hold(db, user_id=user.id, amount=Decimal("2"), reference="execution:lost")
    age(db, lost, timedelta(hours=1))
    credits.hold(db, user_id=user.id, amount=Decimal("1"), reference="execution:running")
    db.flush()
    # WHEN maintenance runs
    report = run_maintenance(db)
    # THEN the lost hold is released and the running one kept
    assert report["released_holds"] == 1
    assert credits.balances(db, user.id).total == Decimal("4")
