"""Artifacts of runs: the `artifact` node and `save_as_artifact` store files in the private bucket (the
object first, then its row), listed per run with presigned download URLs; the cap, a refusing S3, other
users and deleted workflows."""

import hashlib
import itertools
import uuid
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from sqlalchemy import func, select

from shared.artifacts.models import Artifact
from shared.config import settings
from shared.executions import worker
from shared.executions.models import AgentExecution
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.accounts import bearer, signup
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node


@pytest.fixture
def owner(client, aws_server):  # type: ignore[no-untyped-def]
    return signup(client)


def run(db, owner: dict, nodes: list[dict], input_data: dict | None = None) -> AgentExecution:  # type: ignore[no-untyped-def]
    """Save a chain input → nodes… as the owner's workflow and run it."""
    user = db.get(User, uuid.UUID(owner["user"]["id"]))
    chain = [node("in", "input"), *nodes]
    edges = [edge(a["id"], b["id"]) for a, b in itertools.pairwise(chain)]
    workflow, _ = workflow_service.create_workflow(
        session=db, user=user, request=WorkflowCreate(name="Files", graph_json=graph(chain, edges))
    )
    execution = AgentExecution(
        workflow_id=workflow.id, user_id=user.id, workflow_version=1, input_data=input_data or {}
    )
    db.add(execution)
    db.commit()
    worker.run_execution(session=db, execution_id=execution.id)
    db.refresh(execution)
    return execution


def objects(bucket: str) -> list[str]:
    s3 = boto3.client("s3", region_name=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL)
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_an_artifact_node_stores_its_rendered_content_and_a_presigned_url_downloads_it(
    client, db, owner, aws_server
):
    # GIVEN a run whose artifact node renders a CSV from the input
    execution = run(
        db,
        owner,
        [node("file", "artifact", name="{{ input.city }}.csv", content="city,temp\n{{ input.city }},21")],
        {"city": "Hangzhou"},
    )
    assert execution.status == "completed", execution.error_message
    # WHEN the owner lists the run's artifacts
    listed = client.get(f"/v1/executions/{execution.id}/artifacts", headers=bearer(owner)).json()
    [artifact] = listed["items"]
    # THEN the file is described, and its URL downloads the rendered bytes
    content = b"city,temp\nHangzhou,21"
    assert (artifact["name"], artifact["type"], artifact["mime_type"]) == ("Hangzhou.csv", "text", "text/csv")
    assert (artifact["size"], artifact["checksum"]) == (len(content), hashlib.sha256(content).hexdigest())
    assert artifact["node_id"] == "file" and artifact["expires_in"] == settings.ARTIFACT_URL_TTL_SECONDS
    download = httpx.get(artifact["download_url"])
    assert download.status_code == 200 and download.content == content
    assert "attachment" in download.headers["content-disposition"]
    # AND the node's output says what it stored
    file_entry = next(entry for entry in execution.execution_log if entry["node_id"] == "file")
    assert file_entry["output"] == {
        "id": artifact["id"],
        "name": "Hangzhou.csv",
        "size": len(content),
        "mime_type": "text/csv",
    }
    # AND one artifact is read alone, with a fresh URL
    one = client.get(f"/v1/executions/{execution.id}/artifacts/{artifact['id']}", headers=bearer(owner))
    assert one.status_code == 200 and one.json()["checksum"] == artifact["checksum"]


def test_nothing_in_the_bucket_is_public_and_a_download_url_is_short_lived(client, db, owner, aws_server):
    execution = run(db, owner, [node("file", "artifact", name="secret.txt", content="for the owner")])
    [artifact] = client.get(f"/v1/executions/{execution.id}/artifacts", headers=bearer(owner)).json()["items"]
    url = urlsplit(artifact["download_url"])
    query = parse_qs(url.query)
    # a SigV4 presigned GET that S3 honours for ARTIFACT_URL_TTL_SECONDS (S3 refuses it afterwards)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == [str(settings.ARTIFACT_URL_TTL_SECONDS)]
    unsigned = httpx.get(f"{url.scheme}://{url.netloc}{url.path}")
    assert unsigned.status_code == 403


def test_an_artifact_over_the_cap_fails_its_node_naming_the_cap_and_stores_nothing(
    client, db, owner, aws_server, monkeypatch
):
    monkeypatch.setattr(settings, "MAX_ARTIFACT_BYTES", 10)
    execution = run(db, owner, [node("file", "artifact", name="big.txt", content="eleven char")])
    assert execution.status == "failed"
    assert execution.error_message == (
        "node 'file' (artifact): the artifact is 11 bytes; the limit is MAX_ARTIFACT_BYTES (10 bytes)"
    )
    assert objects(aws_server.artifacts_bucket) == []
    assert db.scalar(select(func.count()).select_from(Artifact)) == 0


def test_an_upload_s3_refuses_fails_the_node_and_leaves_no_row(client, db, owner, aws_server, monkeypatch):
    monkeypatch.setattr(settings, "ARTIFACTS_BUCKET", "no-such-bucket")
    execution = run(db, owner, [node("file", "artifact", name="a.txt", content="abc")])
    assert execution.status == "failed"
    assert (
        execution.error_message == ("node 'file' (artifact): the artifact could not be stored (NoSuchBucket)")
        or "could not be stored" in execution.error_message
    )
    assert db.scalar(select(func.count()).select_from(Artifact)) == 0


def test_http_and_skill_nodes_save_their_response_body_as_an_artifact(
    client, db, owner, aws_server, loopback
):
    loopback.script("/report", Reply(body={"rows": [1, 2, 3]}))
    execution = run(
        db, owner, [node("fetch", "http", url=f"{loopback.url}/report", save_as_artifact="report.json")]
    )
    assert execution.status == "completed", execution.error_message
    fetch = next(entry for entry in execution.execution_log if entry["node_id"] == "fetch")
    assert fetch["output"]["body"] == {"rows": [1, 2, 3]}
    assert fetch["output"]["artifact"]["name"] == "report.json"
    [artifact] = client.get(f"/v1/executions/{execution.id}/artifacts", headers=bearer(owner)).json()["items"]
    assert (artifact["type"], artifact["mime_type"]) == ("json", "application/json")
    assert httpx.get(artifact["download_url"]).json() == {"rows": [1, 2, 3]}


def test_another_users_run_and_another_runs_artifact_are_404(client, db, owner, aws_server):
    first = run(db, owner, [node("file", "artifact", name="a.txt", content="a")])
    second = run(db, owner, [node("file", "artifact", name="b.txt", content="b")])
    [artifact] = client.get(f"/v1/executions/{first.id}/artifacts", headers=bearer(owner)).json()["items"]
    other = signup(client)
    assert client.get(f"/v1/executions/{first.id}/artifacts", headers=bearer(other)).status_code == 404
    url = f"/v1/executions/{first.id}/artifacts/{artifact['id']}"
    assert client.get(url, headers=bearer(other)).status_code == 404
    assert (
        client.get(
            f"/v1/executions/{second.id}/artifacts/{artifact['id']}", headers=bearer(owner)
        ).status_code
        == 404
    )
    assert (
        client.get(f"/v1/executions/{first.id}/artifacts/{uuid.uuid4()}", headers=bearer(owner)).status_code
        == 404
    )


def test_deleting_a_workflow_deletes_its_runs_objects(client, db, owner, aws_server):
    execution = run(db, owner, [node("file", "artifact", name="a.txt", content="a")])
    assert len(objects(aws_server.artifacts_bucket)) == 1
    response = client.delete(f"/v1/workflows/{execution.workflow_id}", headers=bearer(owner))
    assert response.status_code == 204
    assert objects(aws_server.artifacts_bucket) == []
    assert db.scalar(select(func.count()).select_from(Artifact)) == 0


def test_a_workflow_whose_objects_s3_will_not_delete_stays_with_its_runs(
    client, db, owner, aws_server, monkeypatch
):
    execution = run(db, owner, [node("file", "artifact", name="a.txt", content="a")])
    monkeypatch.setattr(settings, "ARTIFACTS_BUCKET", "no-such-bucket")
    response = client.delete(f"/v1/workflows/{execution.workflow_id}", headers=bearer(owner))
    assert response.status_code == 503
    db.expire_all()
    assert db.get(AgentExecution, execution.id) is not None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"content": "x"}, "data.name is required"),
        ({"name": "a.txt"}, "data.content is required"),
        ({"name": "a.txt", "content": "{{ oops"}, "data.content: is not a valid template"),
        ({"name": "a.txt", "content": "x", "mime_type": ""}, "data.mime_type: must be a non-empty string"),
    ],
)
def test_an_artifact_node_is_checked_when_the_workflow_is_saved(client, owner, data, problem):
    body = {"name": "Files", "graph_json": graph([node("in", "input"), node("file", "artifact", **data)], [])}
    response = client.post("/v1/workflows", headers=bearer(owner), json=body)
    assert response.status_code == 422
    assert problem in response.json()["detail"]
