"""/v1/projects: the caller's folders for workflows and agents, one default project per account that
cannot be deleted; deleting any other archives it, and it can be restored."""

import pytest
from sqlalchemy import delete, func, select

from shared.config import settings
from shared.projects.models import Project
from tests.accounts import bearer, signup

URL = "/v1/projects"

pytestmark = pytest.mark.usefixtures("mailbox")


def create(client, tokens, **body):  # type: ignore[no-untyped-def]
    response = client.post(URL, headers=bearer(tokens), json={"name": "Research", **body})
    assert response.status_code == 201, response.text
    return response.json()


def listed(client, tokens, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(URL, headers=bearer(tokens), params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --- the default project -------------------------------------------------------------------------


def test_a_new_account_comes_with_its_default_project(client, db):
    # WHEN an account is registered
    tokens = signup(client)
    # THEN its default project exists before anything asks for it
    user_id = tokens["user"]["id"]
    assert db.scalar(select(func.count()).where(Project.user_id == user_id, Project.is_default)) == 1
    [project] = listed(client, tokens)
    assert project["is_default"] is True and project["is_archived"] is False
    assert (project["icon"], project["color"]) == ("folder", "#f97316")


def test_an_account_without_a_default_project_gets_one_on_its_first_list(client, db):
    # GIVEN an account from before projects existed (no default project)
    tokens = signup(client)
    db.execute(delete(Project).where(Project.user_id == tokens["user"]["id"]))
    # WHEN it lists its projects, twice
    first, second = listed(client, tokens), listed(client, tokens)
    # THEN one default project was made, once
    assert [p["is_default"] for p in first] == [True]
    assert second == first


def test_a_default_project_made_by_a_concurrent_request_is_reused_not_duplicated(client, db, monkeypatch):
    from shared.projects import service as project_service

    # GIVEN a default project another request committed after this one looked and found none
    tokens = signup(client)
    user_id = tokens["user"]["id"]
    existing = db.scalar(select(Project).where(Project.user_id == user_id, Project.is_default))
    looked_up = project_service._default_of
    calls = []

    def stale_first_look(session, user_id):  # type: ignore[no-untyped-def]
        calls.append(user_id)
        return None if len(calls) == 1 else looked_up(session, user_id)

    monkeypatch.setattr(project_service, "_default_of", stale_first_look)
    # WHEN this request creates it
    project = project_service.ensure_default(session=db, user_id=user_id)
    # THEN its insert was a no-op and the existing project is the default one
    assert len(calls) == 2
    assert project.id == existing.id
    assert db.scalar(select(func.count()).where(Project.user_id == user_id, Project.is_default)) == 1


def test_the_default_project_cannot_be_deleted_but_can_be_renamed(client):
    tokens = signup(client)
    [default] = listed(client, tokens)
    response = client.delete(f"{URL}/{default['id']}", headers=bearer(tokens))
    assert response.status_code == 409
    assert "default project" in response.json()["detail"]
    renamed = client.patch(f"{URL}/{default['id']}", headers=bearer(tokens), json={"name": "Inbox"})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["is_default"]) == ("Inbox", True)
    assert [p["is_archived"] for p in listed(client, tokens)] == [False]


# --- creating and changing -----------------------------------------------------------------------


def test_a_project_is_created_with_the_seeds_defaults(client):
    tokens = signup(client)
    project = create(client, tokens, description="Papers to read")
    assert project["name"] == "Research" and project["description"] == "Papers to read"
    assert (project["icon"], project["color"], project["sort_order"]) == ("folder", "#f97316", 0)
    assert (project["is_default"], project["is_archived"]) == (False, False)
    assert client.get(f"{URL}/{project['id']}", headers=bearer(tokens)).json() == project


def test_a_colour_is_stored_in_lower_case(client):
    project = create(client, signup(client), color="#7C3AED", icon="bot")
    assert (project["color"], project["icon"]) == ("#7c3aed", "bot")


@pytest.mark.parametrize("color", ["red", "#fff", "#12345G", "#1234567", "7c3aed", "#7c3aed ", "<b>x</b>"])
def test_a_colour_that_is_not_rrggbb_is_422_without_echoing_it(client, color):
    tokens = signup(client)
    response = client.post(URL, headers=bearer(tokens), json={"name": "x", "color": color})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "color"]
    assert color not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 256},
        {"name": "x", "icon": "i" * 51},
        {"name": "x", "sort_order": 10**9},
        {"name": "x", "is_default": True},
        {"name": "x", "is_archived": True},
        {"name": "x", "owner": "someone"},
    ],
)
def test_invalid_read_only_or_unknown_fields_are_422(client, body):
    assert client.post(URL, headers=bearer(signup(client)), json=body).status_code == 422


def test_a_change_names_only_what_changes_and_null_clears_only_the_description(client):
    tokens = signup(client)
    project = create(client, tokens, description="old", sort_order=3)
    url = f"{URL}/{project['id']}"
    changed = client.patch(url, headers=bearer(tokens), json={"color": "#000000", "description": None})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["color"], body["description"], body["name"], body["sort_order"]) == (
        "#000000",
        None,
        "Research",
        3,
    )
    assert client.patch(url, headers=bearer(tokens), json={"name": None}).status_code == 422
    assert client.patch(url, headers=bearer(tokens), json={"color": "orange"}).status_code == 422
    assert client.patch(url, headers=bearer(tokens), json={"is_default": True}).status_code == 422


def test_the_list_follows_sort_order(client):
    tokens = signup(client)
    create(client, tokens, name="Last", sort_order=5)
    create(client, tokens, name="First", sort_order=-1)
    assert [p["name"] for p in listed(client, tokens)] == ["First", "默认项目", "Last"]


# --- archive and restore -------------------------------------------------------------------------


def test_delete_archives_and_restore_brings_it_back(client):
    tokens = signup(client)
    project = create(client, tokens)
    url = f"{URL}/{project['id']}"
    # WHEN the project is deleted
    assert client.delete(url, headers=bearer(tokens)).status_code == 204
    # THEN it is archived: hidden from the list unless asked for, still readable by id
    assert project["id"] not in [p["id"] for p in listed(client, tokens)]
    archived = [p for p in listed(client, tokens, include_archived=True) if p["id"] == project["id"]]
    assert [p["is_archived"] for p in archived] == [True]
    assert client.get(url, headers=bearer(tokens)).json()["is_archived"] is True
    assert client.delete(url, headers=bearer(tokens)).status_code == 204  # idempotent
    # WHEN it is restored
    restored = client.post(f"{url}/restore", headers=bearer(tokens))
    # THEN it is listed again
    assert restored.status_code == 200 and restored.json()["is_archived"] is False
    assert project["id"] in [p["id"] for p in listed(client, tokens)]


# --- ownership and limits ------------------------------------------------------------------------


def test_another_users_project_is_404_on_every_route(client):
    owner, other = signup(client), signup(client)
    project = create(client, owner)
    url = f"{URL}/{project['id']}"
    assert client.get(url, headers=bearer(other)).status_code == 404
    assert client.patch(url, headers=bearer(other), json={"name": "Mine"}).status_code == 404
    assert client.delete(url, headers=bearer(other)).status_code == 404
    assert client.post(f"{url}/restore", headers=bearer(other)).status_code == 404
    assert project["id"] not in [p["id"] for p in listed(client, other, include_archived=True)]
    assert client.get(url, headers=bearer(owner)).json()["name"] == "Research"


def test_projects_need_credentials(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={"name": "x"}).status_code == 401


def test_the_number_of_projects_is_capped_archived_ones_included(client, monkeypatch):
    # GIVEN a limit of 3 projects and an account holding its default one and two more, one archived
    monkeypatch.setattr(settings, "MAX_PROJECTS_PER_USER", 3)
    tokens = signup(client)
    create(client, tokens)
    archived = create(client, tokens)
    client.delete(f"{URL}/{archived['id']}", headers=bearer(tokens))
    # WHEN it creates another
    response = client.post(URL, headers=bearer(tokens), json={"name": "One too many"})
    # THEN it is refused, naming the limit
    assert response.status_code == 429
    assert "MAX_PROJECTS_PER_USER is 3" in response.json()["detail"]
    # and another account is not affected
    create(client, signup(client))
