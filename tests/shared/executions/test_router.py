"""/v1/executions: list and detail (owner only), cancel, retry."""

import uuid

import pytest
from sqlalchemy import update

from shared.executions.models import AgentExecution
from tests.accounts import bearer, signup
from tests.graphs import greeting_graph


@pytest.fixture
def owner(client, aws):  # type: ignore[no-untyped-def]
    tokens = signup(client)
    workflow = client.post(
        "/v1/workflows", headers=bearer(tokens), json={"name": "Runs", "graph_json": greeting_graph()}
    ).json()
    return {"tokens": tokens, "workflow": workflow}


def start(client, owner) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/v1/workflows/{owner['workflow']['id']}/runs",
        headers=bearer(owner["tokens"]),
        json={"input": {"n": 1}},
    )
    assert response.status_code == 202
    return response.json()


def set_status(db, execution_id: str, status: str) -> None:  # type: ignore[no-untyped-def]
    db.execute(update(AgentExecution).where(AgentExecution.id == execution_id).values(status=status))


def test_list_is_mine_newest_first_and_filterable(client, owner, db):
    first, second = start(client, owner), start(client, owner)
    set_status(db, first["id"], "failed")
    stranger = signup(client)
    listed = client.get("/v1/executions", headers=bearer(owner["tokens"])).json()
    assert [item["id"] for item in listed["items"]] == [second["id"], first["id"]]
    failed = client.get("/v1/executions?status=failed", headers=bearer(owner["tokens"])).json()
    assert [item["id"] for item in failed["items"]] == [first["id"]]
    by_workflow = client.get(
        f"/v1/executions?workflow_id={owner['workflow']['id']}&trigger_type=manual",
        headers=bearer(owner["tokens"]),
    )
    assert by_workflow.json()["total"] == 2
    assert client.get("/v1/executions", headers=bearer(stranger)).json()["total"] == 0
    assert client.get("/v1/executions?status=exploded", headers=bearer(owner["tokens"])).status_code == 422


def test_detail_carries_the_log_and_is_the_owners_only(client, owner):
    execution = start(client, owner)
    detail = client.get(f"/v1/executions/{execution['id']}", headers=bearer(owner["tokens"])).json()
    assert detail["execution_log"] == [] and detail["workflow_version"] == 1
    stranger = signup(client)
    assert client.get(f"/v1/executions/{execution['id']}", headers=bearer(stranger)).status_code == 404
    assert client.get(f"/v1/executions/{uuid.uuid4()}", headers=bearer(owner["tokens"])).status_code == 404
    assert client.get(f"/v1/executions/{execution['id']}").status_code == 401


def test_cancelling_a_pending_execution_is_immediate(client, owner, db):
    execution = start(client, owner)
    response = client.post(f"/v1/executions/{execution['id']}/cancel", headers=bearer(owner["tokens"]))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    # the worker finds nothing to claim afterwards
    from shared.executions.lifecycle import claim

    assert claim(db, uuid.UUID(execution["id"])) is None


def test_cancelling_a_running_execution_asks_the_engine_to_stop(client, owner, db):
    execution = start(client, owner)
    set_status(db, execution["id"], "running")
    body = client.post(f"/v1/executions/{execution['id']}/cancel", headers=bearer(owner["tokens"])).json()
    assert body["status"] == "running" and body["cancel_requested_at"] is not None


@pytest.mark.parametrize("status", ["completed", "failed", "cancelled"])
def test_cancelling_a_finished_execution_is_409(client, owner, db, status):
    execution = start(client, owner)
    set_status(db, execution["id"], status)
    response = client.post(f"/v1/executions/{execution['id']}/cancel", headers=bearer(owner["tokens"]))
    assert response.status_code == 409


def test_retry_of_a_failed_execution_queues_a_new_one_that_records_it(client, owner, db):
    execution = start(client, owner)
    set_status(db, execution["id"], "failed")
    client.patch(
        f"/v1/workflows/{owner['workflow']['id']}", headers=bearer(owner["tokens"]), json={"temperature": 0.1}
    )
    same = client.post(f"/v1/executions/{execution['id']}/retry", headers=bearer(owner["tokens"]))
    assert same.status_code == 202
    assert (same.json()["retry_of_id"], same.json()["workflow_version"], same.json()["status"]) == (
        execution["id"],
        1,
        "pending",
    )
    latest = client.post(
        f"/v1/executions/{execution['id']}/retry?latest=true", headers=bearer(owner["tokens"])
    ).json()
    assert latest["workflow_version"] == 2
    assert latest["input_data"] == execution["input_data"]


@pytest.mark.parametrize("status", ["pending", "running", "completed", "cancelled"])
def test_only_failed_executions_can_be_retried(client, owner, db, status):
    execution = start(client, owner)
    set_status(db, execution["id"], status)
    assert (
        client.post(f"/v1/executions/{execution['id']}/retry", headers=bearer(owner["tokens"])).status_code
        == 409
    )


def test_another_users_execution_cannot_be_cancelled_or_retried(client, owner, db):
    execution = start(client, owner)
    stranger = signup(client)
    assert (
        client.post(f"/v1/executions/{execution['id']}/cancel", headers=bearer(stranger)).status_code == 404
    )
    set_status(db, execution["id"], "failed")
    assert client.post(f"/v1/executions/{execution['id']}/retry", headers=bearer(stranger)).status_code == 404
