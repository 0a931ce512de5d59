"""Public workflows and templates, forks and stars."""

import threading
import uuid

import pytest
from sqlalchemy import delete, func, select

from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow, WorkflowStar
from tests.accounts import bearer, signup
from tests.graphs import greeting_graph

pytestmark = pytest.mark.usefixtures("mailbox")


def create(client, tokens, **body):  # type: ignore[no-untyped-def]
    response = client.post("/v1/workflows", headers=bearer(tokens), json={"name": "Shared", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_public_lists_only_public_workflows_and_searches_names(client):
    author = signup(client)
    create(client, author, name="Daily digest", name_zh="每日摘要", is_public=True)
    create(client, author, name="Secret plan")
    create(client, author, name="Weekly digest", is_public=True)
    everything = client.get("/v1/workflows/public").json()
    assert {item["name"] for item in everything["items"]} == {"Daily digest", "Weekly digest"}
    assert client.get("/v1/workflows/public?q=DAILY").json()["total"] == 1
    assert client.get("/v1/workflows/public?q=摘要").json()["items"][0]["name"] == "Daily digest"
    assert client.get("/v1/workflows/public?q=100%25").json()["total"] == 0  # % is literal, not a wildcard


def test_public_sorts_by_stars_forks_runs_or_newest(client, db):
    author = signup(client)
    quiet = create(client, author, name="Quiet", is_public=True)
    loved = create(client, author, name="Loved", is_public=True)
    fans = [signup(client) for _ in range(2)]
    for fan in fans:
        client.put(f"/v1/workflows/{loved['id']}/star", headers=bearer(fan))
    client.post(f"/v1/workflows/{quiet['id']}/fork", headers=bearer(fans[0]))
    names = lambda sort: [i["name"] for i in client.get(f"/v1/workflows/public?sort={sort}").json()["items"]]  # noqa: E731
    assert names("stars")[0] == "Loved"
    assert names("forks")[0] == "Quiet"
    assert names("newest")[0] == "Loved"
    assert client.get("/v1/workflows/public?sort=random").status_code == 422


def test_templates_are_public_workflows_marked_as_templates(client):
    author = signup(client)
    create(client, author, name="Starter", is_public=True, is_template=True)
    create(client, author, name="Private template", is_template=True)
    create(client, author, name="Plain public", is_public=True)
    assert [i["name"] for i in client.get("/v1/workflows/templates").json()["items"]] == ["Starter"]


def test_fork_copies_a_public_workflow_to_the_caller(client):
    author, reader = signup(client), signup(client)
    source = create(
        client, author, name="Original", graph_json=greeting_graph(), is_public=True, is_template=True
    )
    response = client.post(f"/v1/workflows/{source['id']}/fork", headers=bearer(reader))
    assert response.status_code == 201
    fork = response.json()
    assert fork["forked_from_id"] == source["id"]
    assert fork["user_id"] == reader["user"]["id"]
    assert fork["graph_json"] == source["graph_json"]
    assert (fork["is_public"], fork["is_template"], fork["version"], fork["trigger_type"]) == (
        False,
        False,
        1,
        "manual",
    )
    assert fork["slug"] != source["slug"]
    assert client.get(f"/v1/workflows/{source['id']}").json()["fork_count"] == 1


def test_an_owner_may_fork_their_own_private_workflow(client):
    author = signup(client)
    source = create(client, author)
    assert client.post(f"/v1/workflows/{source['id']}/fork", headers=bearer(author)).status_code == 201


def test_fork_needs_an_account(client):
    author = signup(client)
    source = create(client, author, is_public=True)
    assert client.post(f"/v1/workflows/{source['id']}/fork").status_code == 401


def test_stars_are_idempotent(client):
    author, fan = signup(client), signup(client)
    workflow = create(client, author, is_public=True)
    url = f"/v1/workflows/{workflow['id']}/star"
    assert client.put(url, headers=bearer(fan)).json() == {"starred": True, "star_count": 1}
    assert client.put(url, headers=bearer(fan)).json() == {"starred": True, "star_count": 1}
    assert client.delete(url, headers=bearer(fan)).json() == {"starred": False, "star_count": 0}
    assert client.delete(url, headers=bearer(fan)).json() == {"starred": False, "star_count": 0}


@pytest.fixture
def wide_session_scope(engine):  # type: ignore[no-untyped-def]
    """session_scope over a pool wide enough for every thread to hold its own connection at once."""
    import os
    from contextlib import contextmanager

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from shared.database_url import normalize_database_url

    wide = create_engine(normalize_database_url(os.environ["DATABASE_URL"]), pool_size=30, max_overflow=0)

    @contextmanager
    def scope():  # type: ignore[no-untyped-def]
        with Session(wide, expire_on_commit=False) as session:
            yield session
            session.commit()

    yield scope
    wide.dispose()


def test_concurrent_stars_and_forks_keep_exact_counts(wide_session_scope):
    """Real concurrency: each thread its own connection and transaction, against committed rows."""
    session_scope = wide_session_scope
    # GIVEN a public workflow and 12 users, committed so every thread sees them
    with session_scope() as session:
        users = [
            User(
                email=f"crowd{n}-{uuid.uuid4().hex[:6]}@example.com",
                username=f"crowd_{uuid.uuid4().hex[:10]}",
            )
            for n in range(12)
        ]
        session.add_all(users)
        session.flush()
        workflow = AgentWorkflow(
            user_id=users[0].id,
            name="Popular",
            slug=f"popular-{uuid.uuid4().hex[:8]}",
            is_public=True,
            version_history=[],
        )
        session.add(workflow)
        session.flush()
        workflow_id, user_ids = workflow.id, [u.id for u in users]
    try:
        barrier = threading.Barrier(len(user_ids) * 2)
        errors: list[BaseException] = []

        def star_twice_and_fork(user_id: uuid.UUID) -> None:
            try:
                barrier.wait()
                with session_scope() as session:
                    target = session.get(AgentWorkflow, workflow_id)
                    user = session.get(User, user_id)
                    workflow_service.set_star(session=session, workflow=target, user=user, starred=True)
                    workflow_service.set_star(session=session, workflow=target, user=user, starred=True)
                    workflow_service.fork(session=session, source=target, user=user)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        def star_and_unstar(user_id: uuid.UUID) -> None:
            try:
                barrier.wait()
                with session_scope() as session:
                    target = session.get(AgentWorkflow, workflow_id)
                    user = session.get(User, user_id)
                    workflow_service.set_star(session=session, workflow=target, user=user, starred=False)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=star_twice_and_fork, args=(uid,)) for uid in user_ids]
        threads += [threading.Thread(target=star_and_unstar, args=(uid,)) for uid in user_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        # THEN the counters equal the rows, whatever the interleaving
        with session_scope() as session:
            stored = session.get(AgentWorkflow, workflow_id)
            stars = session.scalar(
                select(func.count()).select_from(WorkflowStar).where(WorkflowStar.workflow_id == workflow_id)
            )
            forks = session.scalar(
                select(func.count())
                .select_from(AgentWorkflow)
                .where(AgentWorkflow.forked_from_id == workflow_id)
            )
            assert stored.star_count == stars
            assert stored.fork_count == forks == len(user_ids)
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id.in_(user_ids)))


def keyed_graph() -> dict:
    from tests.graphs import edge, graph, node

    return graph(
        [
            node("in", "input"),
            node(
                "call",
                "http",
                url="https://api.example.com/q?api_key=abc123",
                headers={"Authorization": "Bearer sk-live-1"},
            ),
        ],
        [edge("in", "call")],
    )


def call_node(workflow_graph: dict) -> dict:
    return next(n for n in workflow_graph["nodes"] if n["id"] == "call")["data"]


def test_literal_credentials_of_a_public_workflow_are_shown_to_its_owner_only(client):
    owner = signup(client)
    workflow = create(client, owner, graph_json=keyed_graph(), is_public=True)
    url = f"/v1/workflows/{workflow['id']}"
    assert call_node(client.get(url, headers=bearer(owner)).json()["graph_json"])["headers"] == {
        "Authorization": "Bearer sk-live-1"
    }
    stranger = signup(client)
    for headers in ({}, bearer(stranger)):
        seen = call_node(client.get(url, headers=headers).json()["graph_json"])
        assert seen["headers"] == {"Authorization": "[redacted]"}
        assert "abc123" not in seen["url"]
        snapshot = client.get(f"{url}/versions", headers=headers).json()["items"][0]["snapshot"]
        assert "sk-live-1" not in str(snapshot) and "abc123" not in str(snapshot)
    listed = client.get("/v1/workflows/public").json()["items"]
    assert "sk-live-1" not in str(listed)
    fork = client.post(f"{url}/fork", headers=bearer(stranger)).json()
    assert call_node(fork["graph_json"])["headers"] == {"Authorization": "[redacted]"}
    own_copy = client.get(f"/v1/workflows/{fork['id']}", headers=bearer(stranger)).json()
    assert "sk-live-1" not in str(own_copy)  # the fork itself was stored without the secret
