"""Run mail: a workflow failing every minute mails its owner at most once per cooldown, and the next
failure mail after it says how many runs failed in between; success mail is not rate limited; nothing
is mailed about runs while the owner has run mail switched off.

Time is simulated by moving the stored time of the last failure mail back, never by sleeping."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from shared.config import settings
from shared.executions.models import AgentExecution
from shared.executions.worker import run_execution
from shared.profiles import service as profile_service
from shared.profiles.schemas import ProfileUpdate
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow
from shared.workflows.schemas import WorkflowCreate
from tests.factories import make_user
from tests.graphs import edge, graph, greeting_graph, node

COOLDOWN = timedelta(minutes=60)


def broken_graph() -> dict[str, Any]:
    return graph([node("in", "input"), node("t", "template", template="{{ nope }}")], [edge("in", "t")])


class Owner:
    """A user with workflows, whose runs go through the worker as a scheduled fire's would."""

    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.user = make_user(db)

    def workflow(self, name: str = "Minutely", **fields: Any) -> AgentWorkflow:
        request = WorkflowCreate(name=name, graph_json=fields.pop("graph_json", broken_graph()), **fields)
        workflow, _ = workflow_service.create_workflow(session=self.db, user=self.user, request=request)
        return workflow

    def run(self, workflow: AgentWorkflow, times: int = 1, **input_data: Any) -> None:
        for _ in range(times):
            execution = AgentExecution(
                workflow_id=workflow.id,
                user_id=self.user.id,
                workflow_version=workflow.version,
                input_data=input_data,
                trigger_type="schedule",
            )
            self.db.add(execution)
            self.db.commit()
            run_execution(session=self.db, execution_id=execution.id, sleep=lambda seconds: None)

    def set_run_mail(self, enabled: bool) -> None:
        profile_service.update_profile(
            session=self.db, user_id=self.user.id, request=ProfileUpdate(email_notifications=enabled)
        )

    def counters(self, workflow: AgentWorkflow) -> tuple[Any, int]:
        self.db.refresh(workflow)
        return workflow.last_failure_mail_at, workflow.failures_since_mail

    def move_last_mail_back(self, workflow: AgentWorkflow, by: timedelta) -> None:
        """As if `by` had passed since the last failure mail."""
        self.db.execute(
            update(AgentWorkflow)
            .where(AgentWorkflow.id == workflow.id)
            .values(last_failure_mail_at=AgentWorkflow.last_failure_mail_at - by)
        )


@pytest.fixture
def owner(db, mailbox, monkeypatch) -> Owner:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(settings, "NOTIFY_FAILURE_COOLDOWN_MINUTES", 60)
    return Owner(db)


def failure_mails(mailbox, owner: Owner) -> list:  # type: ignore[no-untyped-def, type-arg]
    return [m for m in mailbox.to(owner.user.email) if m["Subject"].startswith("工作流运行失败")]


def bodies(mail) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_five_failures_within_the_cooldown_send_one_mail_and_the_next_after_it_counts_the_rest(
    owner, mailbox
):
    # GIVEN a workflow that fails on every run
    workflow = owner.workflow()
    # WHEN it fails five times within the cooldown (a minute apart, say)
    owner.run(workflow, times=5)
    # THEN its owner got one mail, about the first failure, and the four after it are counted
    [first] = failure_mails(mailbox, owner)
    assert first["Subject"] == "工作流运行失败：Minutely"
    assert all("另有" not in body for body in bodies(first))
    mailed_at, unmailed = owner.counters(workflow)
    assert mailed_at is not None and unmailed == 4
    # WHEN the cooldown has passed and it fails again
    owner.move_last_mail_back(workflow, COOLDOWN + timedelta(minutes=1))
    owner.run(workflow)
    # THEN a second mail says how many runs failed since the first one, in both parts
    [_, second_mail] = failure_mails(mailbox, owner)
    text, html = bodies(second_mail)
    assert "自上次失败通知以来，该工作流另有 4 次运行失败" in text
    assert "另有 <strong>4</strong> 次运行失败" in html
    assert "每 1 小时最多发送一封" in text
    # and the count starts again
    assert owner.counters(workflow)[1] == 0


def test_no_mail_until_the_cooldown_is_over(owner, mailbox):
    workflow = owner.workflow()
    owner.run(workflow)
    owner.move_last_mail_back(workflow, COOLDOWN - timedelta(minutes=1))
    owner.run(workflow)
    assert len(failure_mails(mailbox, owner)) == 1
    owner.move_last_mail_back(workflow, timedelta(minutes=2))
    owner.run(workflow)
    [_, later] = failure_mails(mailbox, owner)
    assert "另有 1 次运行失败" in bodies(later)[0]


def test_the_cooldown_is_per_workflow(owner, mailbox):
    first, second = owner.workflow("First"), owner.workflow("Second")
    owner.run(first, times=2)
    owner.run(second, times=2)
    subjects = sorted(m["Subject"] for m in failure_mails(mailbox, owner))
    assert subjects == ["工作流运行失败：First", "工作流运行失败：Second"]


def test_a_cooldown_of_zero_mails_every_failure(owner, mailbox, monkeypatch):
    monkeypatch.setattr(settings, "NOTIFY_FAILURE_COOLDOWN_MINUTES", 0)
    owner.run(owner.workflow(), times=3)
    mails = failure_mails(mailbox, owner)
    assert len(mails) == 3
    assert all("另有" not in bodies(mail)[0] and "最多发送一封" not in bodies(mail)[0] for mail in mails)


def test_success_mail_is_not_rate_limited(owner, mailbox):
    chatty = owner.workflow("Chatty", graph_json=greeting_graph(), notify_on_success=True)
    owner.run(chatty, times=3, name="Ada", n=5)
    assert [m["Subject"] for m in mailbox.to(owner.user.email)] == ["工作流运行完成：Chatty"] * 3


def test_no_run_mail_while_the_owner_has_it_switched_off(owner, mailbox):
    # GIVEN an owner who switched run mail off
    owner.set_run_mail(False)
    failing = owner.workflow("Failing")
    chatty = owner.workflow("Chatty", graph_json=greeting_graph(), notify_on_success=True)
    # WHEN runs fail and succeed
    owner.run(failing, times=2)
    owner.run(chatty, name="Ada", n=5)
    # THEN nothing is mailed, and the failures are counted for the next mail
    assert mailbox.to(owner.user.email) == []
    assert owner.counters(failing) == (None, 2)
    # WHEN run mail is switched on again and the workflow fails once more
    owner.set_run_mail(True)
    owner.run(failing)
    # THEN that failure is mailed, with the two unmailed failures before it
    [mail] = failure_mails(mailbox, owner)
    assert "另有 2 次运行失败" in bodies(mail)[0]


def test_another_owners_switch_does_not_silence_this_owner(owner, db, mailbox):
    Owner(db).set_run_mail(False)
    owner.run(owner.workflow())
    assert len(failure_mails(mailbox, owner)) == 1
