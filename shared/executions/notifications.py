"""Mail the owner when a run fails, and when it completes if the workflow asks for it."""

from sqlalchemy.orm import Session

from shared.config import settings
from shared.email import service as email_service_module
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

RUN_FAILED_SUBJECT = "工作流运行失败：{name}"
RUN_SUCCEEDED_SUBJECT = "工作流运行完成：{name}"


def notify_owner(*, session: Session, execution: AgentExecution) -> bool:
    """Send the notification this execution's outcome calls for; True if a mail was queued or went out."""
    workflow = session.get(AgentWorkflow, execution.workflow_id)
    owner = session.get(User, execution.user_id)
    if workflow is None or owner is None:
        return False
    if execution.status == ExecutionStatus.FAILED:
        template, subject = "run_failed", RUN_FAILED_SUBJECT
    elif execution.status == ExecutionStatus.COMPLETED and workflow.notify_on_success:
        template, subject = "run_succeeded", RUN_SUCCEEDED_SUBJECT
    else:
        return False
    link = f"{settings.FRONTEND_URL.rstrip('/')}/executions/{execution.id}"
    subject_line = subject.format(name=" ".join(workflow.name.split())[:80])
    return email_service_module.email_service.send_later(
        session,
        owner.email,
        subject_line,
        template,
        workflow_name=workflow.name,
        execution_id=str(execution.id),
        error=execution.error_message or "",
        duration_ms=execution.duration_ms or 0,
        link=link,
    )
