"""The deployed pool: one connection per Lambda, no overflow (the test environment's DB_POOL_SIZE=1,
DB_MAX_OVERFLOW=0). Work that holds the connection never opens a second session: a second one would
wait out the pool timeout and then mail a suppressed address anyway, or lose the operation-log row.
Here the app makes its own sessions (get_db, session_scope), as in Lambda, on committed rows."""

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.audit.models import OperationLog
from shared.config import settings
from shared.db import get_engine, session_scope
from shared.email.models import EmailSuppression
from shared.email.suppressions import suppress
from shared.executions import worker
from shared.executions.models import AgentExecution
from shared.queue.models import QueueJob
from shared.users.models import User
from tests.accounts import PASSWORD, bearer
from tests.graphs import edge, graph, node
from tests.queues import take

SUPPRESSED_ADDRESS = "bounced-owner@example.com"
REFUSED = "mail not sent: the address is on the suppression list"
SECOND_SESSION_SYMPTOM = "suppression list unavailable"


def mail_graph() -> dict:
    return graph(
        [
            node("in", "input"),
            node("mail", "email", subject="Report", body="Done"),
            node("out", "output", values={"sent": "{{ nodes.mail.sent }}"}),
        ],
        [edge("in", "mail"), edge("mail", "out")],
    )


@pytest.fixture
def live(aws, mailbox) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app with its own sessions from get_db, as in Lambda, and an owner whose address bounced."""
    assert (settings.DB_POOL_SIZE, settings.DB_MAX_OVERFLOW) == (1, 0), "the deployed pool"
    with session_scope() as session:
        suppress(session=session, email=SUPPRESSED_ADDRESS, reason="bounce")
    with TestClient(create_app(*API_ROUTERS)) as client:
        yield client
    with session_scope() as session:
        session.execute(delete(User).where(User.email == SUPPRESSED_ADDRESS))
        session.execute(delete(EmailSuppression).where(EmailSuppression.email == SUPPRESSED_ADDRESS))
        session.execute(delete(OperationLog).where(OperationLog.trace_id.like("deployed-pool-%")))
        session.execute(delete(QueueJob).where(QueueJob.data["to"].astext == SUPPRESSED_ADDRESS))


def test_mail_audit_and_a_run_each_use_the_one_connection_they_hold(live, mailbox, caplog):
    # GIVEN an account registered at an address on the suppression list (the welcome mail is refused)
    registered = live.post(
        "/v1/auth/register",
        json={"email": SUPPRESSED_ADDRESS, "username": f"pool_{uuid.uuid4().hex[:8]}", "password": PASSWORD},
    )
    assert registered.status_code == 201
    # WHEN it asks for a password reset, creates a workflow (an audited mutation) and runs it
    forgot = live.post("/v1/auth/password/forgot", json={"email": SUPPRESSED_ADDRESS})
    created = live.post(
        "/v1/workflows",
        headers={**bearer(registered.json()), "X-Request-ID": "deployed-pool-create"},
        json={"name": "Mailer", "graph_json": mail_graph()},
    )
    run = live.post(f"/v1/workflows/{created.json()['id']}/runs", headers=bearer(registered.json()), json={})
    worker.handle_message(json.dumps({"type": "execution.run", "execution_id": run.json()["id"]}))
    # (the welcome and reset mails went to the mail queue: the worker delivers them, as in Lambda)
    for message in take(settings.MAIL_QUEUE_URL):
        worker.handle_message(message["Body"])
    # THEN each finished with the one connection: the suppression list was read every time (welcome,
    # reset, email node), the operation log has its row, and the run completed without mailing
    assert (forgot.status_code, created.status_code, run.status_code) == (202, 201, 202)
    assert caplog.text.count(REFUSED) == 3
    assert SECOND_SESSION_SYMPTOM not in caplog.text
    assert mailbox.to(SUPPRESSED_ADDRESS) == []
    with session_scope() as session:
        execution = session.get(AgentExecution, uuid.UUID(run.json()["id"]))
        assert execution is not None
        assert (execution.status, execution.output_data) == ("completed", {"sent": "False"})
        logged = session.scalars(select(OperationLog).where(OperationLog.trace_id == "deployed-pool-create"))
        assert [(entry.title, entry.status) for entry in logged] == [("create_workflow", 201)]
    assert get_engine().pool.checkedout() == 0
