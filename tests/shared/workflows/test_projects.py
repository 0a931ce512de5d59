"""Workflows in projects: `project_id` on create and update (one of the caller's projects, not archived;
null takes a workflow out), and `GET /v1/workflows?project_id=` lists one project's workflows."""

import uuid

import pytest

from tests.accounts import bearer, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def project_of(client, tokens, name: str = "Research") -> str:  # type: ignore[no-untyped-def]
    response = client.post("/v1/projects", headers=bearer(tokens), json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def create(client, tokens, **body):  # type: ignore[no-untyped-def]
    return client.post("/v1/workflows", headers=bearer(tokens), json={"name": "Greeter", **body})


def listed_ids(client, tokens, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/v1/workflows", headers=bearer(tokens), params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_workflow_is_created_in_a_project_and_listed_by_it(client):
    # GIVEN two projects with a workflow each, and a workflow in none
    tokens = signup(client)
    research, writing = project_of(client, tokens), project_of(client, tokens, "Writing")
    in_research = create(client, tokens, project_id=research).json()
    in_writing = create(client, tokens, project_id=writing).json()
    loose = create(client, tokens).json()
    assert (in_research["project_id"], loose["project_id"]) == (research, None)
    # WHEN the list is filtered by project
    # THEN each project shows its own workflows only, and the unfiltered list shows all
    assert listed_ids(client, tokens, project_id=research) == [in_research["id"]]
    assert listed_ids(client, tokens, project_id=writing) == [in_writing["id"]]
    assert set(listed_ids(client, tokens)) == {in_research["id"], in_writing["id"], loose["id"]}


def test_a_workflow_moves_between_projects_and_null_takes_it_out(client):
    tokens = signup(client)
    first, second = project_of(client, tokens), project_of(client, tokens, "Second")
    workflow = create(client, tokens, project_id=first).json()
    url = f"/v1/workflows/{workflow['id']}"
    moved = client.patch(url, headers=bearer(tokens), json={"project_id": second})
    assert moved.status_code == 200 and moved.json()["project_id"] == second
    assert moved.json()["version"] == workflow["version"]  # where it is filed is no new version
    cleared = client.patch(url, headers=bearer(tokens), json={"project_id": None})
    assert cleared.status_code == 200 and cleared.json()["project_id"] is None
    assert listed_ids(client, tokens, project_id=second) == []


def test_another_users_project_is_422_naming_project_id(client):
    # GIVEN someone else's project
    owner, caller = signup(client), signup(client)
    theirs = project_of(client, owner)
    mine = create(client, caller).json()
    # WHEN the caller files a workflow in it, or in a project that does not exist
    # THEN both are the same 422 naming project_id (nothing tells whether it exists)
    for project_id in (theirs, str(uuid.uuid4())):
        created = create(client, caller, project_id=project_id)
        moved = client.patch(
            f"/v1/workflows/{mine['id']}", headers=bearer(caller), json={"project_id": project_id}
        )
        for response in (created, moved):
            assert response.status_code == 422
            assert response.json()["detail"] == "project_id: no such project of yours"


def test_an_archived_project_takes_no_new_workflows_but_keeps_its_own(client):
    tokens = signup(client)
    project_id = project_of(client, tokens)
    kept = create(client, tokens, project_id=project_id).json()
    assert client.delete(f"/v1/projects/{project_id}", headers=bearer(tokens)).status_code == 204
    refused = create(client, tokens, project_id=project_id)
    assert refused.status_code == 422 and "archived" in refused.json()["detail"]
    assert (
        client.get(f"/v1/workflows/{kept['id']}", headers=bearer(tokens)).json()["project_id"] == project_id
    )
    assert listed_ids(client, tokens, project_id=project_id) == [kept["id"]]


def test_filtering_by_someone_elses_project_shows_nothing(client):
    owner, other = signup(client), signup(client)
    project_id = project_of(client, owner)
    create(client, owner, project_id=project_id)
    assert listed_ids(client, other, project_id=project_id) == []
    response = client.get("/v1/workflows", headers=bearer(other), params={"project_id": "not-a-uuid"})
    assert response.status_code == 422


def test_a_fork_of_ones_own_workflow_stays_in_its_project_anothers_fork_is_in_none(client):
    owner, other = signup(client), signup(client)
    project_id = project_of(client, owner)
    workflow = create(client, owner, project_id=project_id, is_public=True).json()
    own_fork = client.post(f"/v1/workflows/{workflow['id']}/fork", headers=bearer(owner)).json()
    their_fork = client.post(f"/v1/workflows/{workflow['id']}/fork", headers=bearer(other)).json()
    assert (own_fork["project_id"], their_fork["project_id"]) == (project_id, None)
