"""The queue contract: every message type is built and parsed in shared.queue.messages."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.queue import messages


def test_an_execution_run_round_trips():
    message = messages.ExecutionRun(execution_id=uuid.uuid4())
    body = messages.body_of(message)
    assert json.loads(body) == {"type": "execution.run", "execution_id": str(message.execution_id)}
    assert messages.parse(body) == message


def test_an_mcp_check_round_trips():
    message = messages.McpCheck(server_id=uuid.uuid4())
    body = messages.body_of(message)
    assert json.loads(body) == {"type": "mcp.check", "server_id": str(message.server_id)}


@pytest.mark.parametrize(
    "message",
    [
        messages.ConnectionAnalyze(connection_id=uuid.uuid4()),
        messages.ConnectionChat(message_id=uuid.uuid4()),
    ],
)
def test_the_database_connection_messages_round_trip(message):
    body = messages.body_of(message)
    assert json.loads(body)["type"] in ("connection.analyze", "connection.chat")
    assert messages.parse(body) == message


def test_the_scheduler_template_becomes_a_workflow_scheduled_once_the_scheduler_fills_in_the_time():
    # GIVEN the body a workflow's schedule carries
    workflow_id = uuid.uuid4()
    template = messages.scheduled_fire_template(workflow_id)
    # WHEN EventBridge Scheduler fills in the intended time of a fire
    body = template.replace(messages.SCHEDULED_TIME_PLACEHOLDER, "2026-11-22T06:15:00Z")
    # THEN the worker reads it as that fire of that workflow
    assert messages.parse(body) == messages.WorkflowScheduled(
        workflow_id=workflow_id, scheduled_at=datetime(2026, 11, 22, 6, 15, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("not json", "body"),
        ('{"type": "execution.delete", "execution_id": "x"}', "type"),
        ('{"type": "execution.run"}', "execution_id"),
        ('{"type": "execution.run", "execution_id": "not-a-uuid"}', "execution_id"),
        (f'{{"type": "workflow.scheduled", "workflow_id": "{uuid.uuid4()}"}}', "scheduled_at"),
        (  # a time without a timezone
            json.dumps(
                {
                    "type": "workflow.scheduled",
                    "workflow_id": str(uuid.uuid4()),
                    "scheduled_at": "2026-11-22T06:15",
                }
            ),
            "scheduled_at",
        ),
    ],
)
def test_a_malformed_body_is_refused_naming_what_is_wrong_never_echoing_it(body, where):
    with pytest.raises(messages.MalformedMessage) as refused:
        messages.parse(body)
    assert where in str(refused.value)
    assert "not-a-uuid" not in str(refused.value)


def test_a_task_plan_and_a_mail_send_round_trip():
    plan = messages.TaskPlan(task_id=uuid.uuid4())
    assert messages.parse(messages.body_of(plan)) == plan
    mail = messages.MailSend(
        to="ada@example.com",
        subject="Hi",
        template="welcome",
        context={"username": "ada", "verify_url": None},
    )
    assert messages.parse(messages.body_of(mail)) == mail
    assert (
        messages.reference_of(mail) == "mail:welcome"
        and messages.reference_of(plan) == f"task:{plan.task_id}"
    )


@pytest.mark.parametrize("template", ["../etc/passwd", "Welcome", "", "welcome.html"])
def test_a_mail_names_a_template_by_its_plain_name_only(template):
    body = json.dumps({"type": "mail.send", "to": "a@example.com", "subject": "Hi", "template": template})
    with pytest.raises(messages.MalformedMessage, match="template"):
        messages.parse(body)


def test_every_message_type_names_what_it_is_about():
    server, connection, message = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert [
        messages.reference_of(messages.McpCheck(server_id=server)),
        messages.reference_of(messages.ConnectionAnalyze(connection_id=connection)),
        messages.reference_of(messages.ConnectionChat(message_id=message)),
    ] == [f"mcp_server:{server}", f"connection:{connection}", f"connection_message:{message}"]
