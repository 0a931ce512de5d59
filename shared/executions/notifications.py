"""Mail the owner about a finished run: a failure, and a completion when the workflow asks for it;
nothing when the owner turned run mail off (their profile's `email_notifications`).

Failure mail is rate limited per workflow: at most one per NOTIFY_FAILURE_COOLDOWN_MINUTES, so a
workflow failing every minute does not flood its owner. The failures in between are counted on the
workflow, and the next failure mail says how many there were. Success mail is not rate limited."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.config import get_utc_now, settings
from shared.email import service as email_service_module
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.profiles import service as profile_service
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

RUN_FAILED_SUBJECT = "工作流运行失败：{name}"
RUN_SUCCEEDED_SUBJECT = "工作流运行完成：{name}"


@dataclass(frozen=True)
class RunMail:
    to: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def mail_for(*, session: Session, execution: AgentExecution, notify_on_success: bool) -> RunMail | None:
    """The mail this execution's outcome calls for, or None. A failure is counted against its
    workflow's cooldown in the caller's transaction, which must hold the workflow's row lock (the run
    count's update takes it) and commit before the mail is sent."""
    failed = execution.status == ExecutionStatus.FAILED
    succeeded = execution.status == ExecutionStatus.COMPLETED and notify_on_success
    if not (failed or succeeded):
        return None
    wants_mail = profile_service.wants_run_mail(session, execution.user_id)
    unmailed_failures = 0
    if failed:
        unmailed = _count_failure(session, execution.workflow_id, mail_possible=wants_mail)
        if unmailed is None:
            return None
        unmailed_failures = unmailed
    if not wants_mail:
        return None
    workflow = session.get(AgentWorkflow, execution.workflow_id)
    owner = session.get(User, execution.user_id)
    if workflow is None or owner is None:
        return None
    cooldown = settings.NOTIFY_FAILURE_COOLDOWN_MINUTES
    name = " ".join(workflow.name.split())[:80]
    return RunMail(
        to=owner.email,
        subject=(RUN_FAILED_SUBJECT if failed else RUN_SUCCEEDED_SUBJECT).format(name=name),
        template="run_failed" if failed else "run_succeeded",
        context={
            "workflow_name": workflow.name,
            "execution_id": str(execution.id),
            "error": execution.error_message or "",
            "duration_ms": execution.duration_ms or 0,
            "link": f"{settings.FRONTEND_URL.rstrip('/')}/executions/{execution.id}",
            "unmailed_failures": unmailed_failures,
            "cooldown": email_service_module.lifetime_in_words(cooldown) if cooldown > 0 else None,
        },
    )


def _count_failure(session: Session, workflow_id: uuid.UUID, *, mail_possible: bool) -> int | None:
    """Record one failure of the workflow. When it is to be mailed (the owner wants run mail and the
    cooldown since the last failure mail is over), start a new cooldown and return how many failures
    went unmailed since that mail; otherwise count this one among them and return None."""
    row = session.execute(
        select(AgentWorkflow.last_failure_mail_at, AgentWorkflow.failures_since_mail)
        .where(AgentWorkflow.id == workflow_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return None
    now = get_utc_now()
    cooldown = timedelta(minutes=settings.NOTIFY_FAILURE_COOLDOWN_MINUTES)
    due = mail_possible and (row.last_failure_mail_at is None or now - row.last_failure_mail_at >= cooldown)
    values: dict[str, Any] = (
        {"last_failure_mail_at": now, "failures_since_mail": 0}
        if due
        else {"failures_since_mail": AgentWorkflow.failures_since_mail + 1}
    )
    session.execute(
        update(AgentWorkflow).where(AgentWorkflow.id == workflow_id).values(**values),
        execution_options={"synchronize_session": False},
    )
    return row.failures_since_mail if due else None


def send(*, session: Session, mail: RunMail) -> bool:
    """Queue a run mail as a `mail.send` job (sent at once without a mail queue); True if it was queued
    or went out (a send never raises)."""
    return email_service_module.email_service.send_later(
        session, mail.to, mail.subject, mail.template, **mail.context
    )
