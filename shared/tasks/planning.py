"""Planning a task (the worker's `task.plan`): the model is asked, through the LLM gateway (metered to
session type `task`, charged to the owner), for a plan that uses only the owner's toolbox; a plan that
cannot be used is asked for once more, with the reason; then the task fails saying why. A usable plan
is compiled into a workflow of the owner's, and its run starts if the task is to start at once."""

import time
import uuid

from aws_lambda_powertools import Logger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.config import get_utc_now, settings
from shared.errors import DomainError
from shared.executions import tool_calls
from shared.executions.lifecycle import GAVE_UP
from shared.llm import gateway
from shared.llm.client import LLMError, ProviderUnavailable
from shared.tasks import logs, runs
from shared.tasks.models import LogLevel, Task, TaskStatus
from shared.tasks.plans import INPUT_SCHEMA, PlanRejected, parse
from shared.tasks.toolbox import Toolbox, toolbox_for
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate

logger = Logger(child=True)

ATTEMPTS = 2  # the first plan, and one more after saying what was wrong with it
SYSTEM_PROMPT = """You plan tasks for the ainav platform. Answer with one JSON object and nothing else:
{{"steps": [{{"title": "what this step does", "type": "<step type>", "data": {{...}}}}],
 "result": "<template>"}}

The steps run once each, in order. Values marked template are Jinja2 templates: the task's intent is
{{{{ input.intent }}}}, and the output of step k is {{{{ nodes.step_k }}}} (e.g. {{{{ nodes.step_1.text }}}}).
"result" (optional) is a template of the task's result; without it the last step's output is the result.
Use at most {max_steps} steps, only the step types below, and only the skills and workflows listed, by id.

{toolbox}"""
ASK_AGAIN = (
    "That plan cannot be used: {reason}. Answer again with a corrected plan, as the same JSON object only."
)


def prompt(task: Task, toolbox: Toolbox) -> list[dict[str, str]]:
    system = SYSTEM_PROMPT.format(max_steps=settings.TASK_PLAN_MAX_STEPS, toolbox=toolbox.describe())
    return [{"role": "system", "content": system}, {"role": "user", "content": f"Intent: {task.intent}"}]


def claim(session: Session, task_id: uuid.UUID) -> Task | None:
    """pending or planning (a delivery that died mid-plan), without a plan → planning, in one UPDATE."""
    task = session.scalars(
        update(Task)
        .where(
            Task.id == task_id,
            Task.status.in_((TaskStatus.PENDING, TaskStatus.PLANNING)),
            Task.plan.is_(None),
        )
        .values(status=TaskStatus.PLANNING)
        .returning(Task),
        execution_options={"populate_existing": True},
    ).first()
    session.commit()
    return task


def plan_task(session: Session, task_id: uuid.UUID) -> str:
    """Plan the task and start its run if it is to start at once; returns the task's status (`skipped`
    when it was not there to plan: deleted, cancelled, planned already). A provider that does not answer
    raises, so the queue delivers the message again."""
    task = claim(session, task_id)
    if task is None:
        return "skipped"
    logs.add(session, task.id, LogLevel.INFO, "Planning")
    session.commit()
    toolbox = toolbox_for(session, task.user_id)
    messages = prompt(task, toolbox)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            text = ask(session, task, messages)
        except ProviderUnavailable:
            raise
        except (LLMError, DomainError) as exc:  # no credits (402), no model configured, a refused key
            return fail(session, task, f"Planning failed: {getattr(exc, 'message', None) or exc}")
        if _cancelled(session, task):
            return "skipped"
        try:
            plan, graph = parse(text, toolbox)
        except PlanRejected as exc:
            if attempt == ATTEMPTS:
                return fail(session, task, f"The model's plan could not be used: {exc}")
            logs.add(session, task.id, LogLevel.WARN, f"Plan refused, asking again: {exc}")
            session.commit()
            messages += [
                {"role": "assistant", "content": text or ""},
                {"role": "user", "content": ASK_AGAIN.format(reason=exc)},
            ]
            continue
        return adopt(session, task, plan, graph)
    raise AssertionError("unreachable")


def ask(session: Session, task: Task, messages: list[dict[str, str]]) -> str | None:
    """One model call for the plan, recorded as one of the task's tool calls."""
    started_at, started = get_utc_now(), time.monotonic()
    model = settings.TASK_PLAN_MODEL or settings.LLM_DEFAULT_MODEL
    error, text = None, None
    try:
        answer = gateway.complete(
            session,
            caller=gateway.Caller(user_id=task.user_id, session_type="task", session_id=str(task.id)),
            messages=messages,
            model=model,
            json_response=True,
            temperature=0.2,
            max_tokens=settings.TASK_PLAN_MAX_TOKENS,
        )
        text = answer.text
        return text
    except Exception as exc:
        error = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise
    finally:
        tool_calls.record_call(
            session,
            user_id=task.user_id,
            task_id=task.id,
            tool_type="llm",
            tool=model,
            call_input={"purpose": "plan", "messages": len(messages)},
            output={"text": text} if text is not None else None,
            error=error,
            started_at=started_at,
            duration_ms=(time.monotonic() - started) * 1000,
        )
        session.commit()


def _cancelled(session: Session, task: Task) -> bool:
    """The owner may cancel (or delete) the task while the model thinks."""
    status = session.scalar(select(Task.status).where(Task.id == task.id))
    return status in (None, TaskStatus.CANCELLED)


def adopt(session: Session, task: Task, plan: dict, graph: dict) -> str:
    """Save the plan as a workflow of the owner's, and start its run if the task is to start at once."""
    user = session.get(User, task.user_id)
    assert user is not None
    try:
        workflow, _ = workflow_service.create_workflow(
            session=session,
            user=user,
            request=WorkflowCreate(
                name=f"Task: {task.title}"[:255],
                description=task.intent,
                graph_json=graph,
                input_schema=INPUT_SCHEMA,
                llm_model=settings.LLM_DEFAULT_MODEL,
            ),
        )
    except DomainError as exc:
        session.rollback()
        return fail(session, task, f"The plan could not be saved as a workflow: {exc.message}")
    task.plan, task.total_steps, task.current_step = plan, len(plan["steps"]), 0
    task.workflow_id = workflow.id
    task.status = TaskStatus.PENDING
    logs.add(
        session,
        task.id,
        LogLevel.INFO,
        f"Planned {task.total_steps} steps",
        steps=[f"{step['type']}: {step['title']}" for step in plan["steps"]],
        workflow_id=str(workflow.id),
    )
    session.commit()
    if task.auto_start:
        try:
            runs.start_run(session, task)
        except DomainError as exc:  # the daily run quota (429), credits (402), the queue (503)
            session.rollback()
            return fail(session, task, f"The run could not start: {exc.message}")
    return str(task.status)


def fail(session: Session, task: Task, reason: str) -> str:
    task.status, task.error, task.completed_at = TaskStatus.FAILED, reason[:1000], get_utc_now()
    logs.add(session, task.id, LogLevel.ERROR, reason)
    session.commit()
    return TaskStatus.FAILED


def give_up(session: Session, task_id: uuid.UUID, reason: str) -> None:
    """The plan message is going to the dead-letter queue: the task must not stay planning."""
    task = session.get(Task, task_id)
    if task is not None and task.status in (TaskStatus.PENDING, TaskStatus.PLANNING) and task.plan is None:
        fail(session, task, reason)
    logger.error("task planning given up: message sent to the DLQ", extra={"task_id": str(task_id)})


def reopen_given_up(session: Session, task_id: uuid.UUID) -> None:
    """A task failed because its plan message died is pending again, for the redriven message (the
    caller commits)."""
    task = session.get(Task, task_id, with_for_update=True)
    if task is not None and task.status == TaskStatus.FAILED and (task.error or "").startswith(GAVE_UP):
        task.status, task.error, task.completed_at = TaskStatus.PENDING, None, None
