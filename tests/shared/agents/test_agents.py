"""Agents from the Q&A wizard: the prompt of three answers, checked tools, who reads and changes them,
deleting, the workflow that puts one to work, and the agent node."""

import uuid

from sqlalchemy import select

from shared.config import settings
from shared.llm.models import UsageMetric
from tests.accounts import bearer, signup
from tests.conftest import TEST_MODEL
from tests.fakes.llm_provider import Completion
from tests.graphs import edge, graph, greeting_graph, node

ANSWERS = {
    "name": "Charlie",
    "qa_who": "A patient tutor for beginners in Python.",
    "qa_rules": "Explain with small examples. Never write whole assignments.",
    "qa_tricks": "Knows pytest and the standard library.",
}


def create_agent(client, account, **fields):  # type: ignore[no-untyped-def]
    response = client.post("/v1/agents", headers=bearer(account), json={**ANSWERS, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_three_answers_make_an_agent_with_a_prompt_made_of_them(client):
    account = signup(client)
    agent = create_agent(client, account)
    assert agent["system_prompt"] == (
        "You are Charlie. A patient tutor for beginners in Python.\n\n"
        "Rules you always follow:\nExplain with small examples. Never write whole assignments.\n\n"
        "What you know and can do:\nKnows pytest and the standard library."
    )
    assert (agent["icon"], agent["color"], agent["is_published"], agent["tools"]) == (
        "bot",
        "#7C3AED",
        False,
        [],
    )
    again = create_agent(client, account)
    assert again["system_prompt"] == agent["system_prompt"]
    listed = client.get("/v1/agents", headers=bearer(account)).json()
    assert listed["total"] == 2


def test_new_answers_make_a_new_prompt_unless_one_is_given(client):
    account = signup(client)
    agent = create_agent(client, account)
    url = f"/v1/agents/{agent['id']}"
    changed = client.patch(url, headers=bearer(account), json={"qa_rules": "Answer in haiku."}).json()
    assert "Rules you always follow:\nAnswer in haiku." in changed["system_prompt"]
    own = client.patch(url, headers=bearer(account), json={"system_prompt": "Be brief."}).json()
    assert own["system_prompt"] == "Be brief."


def test_the_model_may_polish_the_prompt_and_it_is_metered_as_the_agents_setup(client, db, llm):
    account = signup(client)
    llm.script(
        Completion(text="You are Charlie, a patient Python tutor.", prompt_tokens=80, completion_tokens=12)
    )
    polished = client.post("/v1/agents?polish=true", headers=bearer(account), json=ANSWERS).json()
    assert polished["system_prompt"] == "You are Charlie, a patient Python tutor."
    metric = db.scalar(select(UsageMetric).where(UsageMetric.session_id == polished["id"]))
    assert (metric.session_type, metric.calls) == ("agent_setup", 1)


def test_bad_answers_and_colours_are_422_without_echoing_them(client):
    account = signup(client)
    for body in (
        {**ANSWERS, "qa_who": "   "},
        {**ANSWERS, "qa_rules": "x" * 4001},
        {**ANSWERS, "color": "purple-ish"},
        {**ANSWERS, "model": "gpt-9"},
        {**ANSWERS, "tools": [{"type": "shell", "command": "rm"}]},
    ):
        response = client.post("/v1/agents", headers=bearer(account), json=body)
        assert response.status_code == 422, body
        assert "purple-ish" not in response.text and "x" * 100 not in response.text


def test_tools_must_be_the_owners_workflows_or_active_skills(client, db):
    owner, stranger = signup(client), signup(client)
    theirs = client.post("/v1/workflows", headers=bearer(stranger), json={"name": "Theirs"}).json()
    mine = client.post("/v1/workflows", headers=bearer(owner), json={"name": "Mine"}).json()
    refused = client.post(
        "/v1/agents",
        headers=bearer(owner),
        json={
            **ANSWERS,
            "tools": [
                {"type": "workflow", "workflow_id": mine["id"]},
                {"type": "memory", "workflow_id": theirs["id"]},
            ],
        },
    )
    assert (
        refused.status_code == 422
        and refused.json()["detail"] == "tools[1].workflow_id: no such workflow of yours"
    )
    unknown_skill = client.post(
        "/v1/agents",
        headers=bearer(owner),
        json={**ANSWERS, "tools": [{"type": "skill", "skill_id": str(uuid.uuid4())}]},
    )
    assert unknown_skill.status_code == 422
    accepted = create_agent(client, owner, tools=[{"type": "workflow", "workflow_id": mine["id"]}])
    assert accepted["tools"] == [{"type": "workflow", "workflow_id": mine["id"]}]


def test_published_agents_are_read_by_anyone_and_changed_by_their_owner_only(client):
    owner, other = signup(client), signup(client)
    private = create_agent(client, owner)
    published = create_agent(client, owner, is_published=True)
    assert client.get(f"/v1/agents/{private['id']}", headers=bearer(other)).status_code == 404
    assert client.get(f"/v1/agents/{published['id']}").status_code == 200
    assert client.get(f"/v1/agents/{published['id']}", headers=bearer(other)).status_code == 200
    change = {"name": "Mine now"}
    assert (
        client.patch(f"/v1/agents/{published['id']}", headers=bearer(other), json=change).status_code == 404
    )
    assert client.delete(f"/v1/agents/{published['id']}", headers=bearer(other)).status_code == 404
    assert client.get("/v1/agents", headers=bearer(other)).json()["total"] == 0


def test_an_agent_used_by_a_workflow_cannot_be_deleted(client):
    account = signup(client)
    agent = create_agent(client, account)
    workflow = client.post(f"/v1/agents/{agent['id']}/workflow", headers=bearer(account))
    assert workflow.status_code == 201
    assert [n["type"] for n in workflow.json()["graph_json"]["nodes"]] == ["input", "agent", "output"]
    refused = client.delete(f"/v1/agents/{agent['id']}", headers=bearer(account))
    assert refused.status_code == 409 and "'Charlie'" in refused.json()["detail"]
    client.patch(
        f"/v1/workflows/{workflow.json()['id']}",
        headers=bearer(account),
        json={"graph_json": greeting_graph()},
    )
    assert client.delete(f"/v1/agents/{agent['id']}", headers=bearer(account)).status_code == 204


def test_a_graph_may_only_name_the_owners_agents(client):
    owner, other = signup(client), signup(client)
    theirs = create_agent(client, other, is_published=True)
    bad = graph(
        [node("in", "input"), node("ask", "agent", agent_id=theirs["id"], prompt="hi")], [edge("in", "ask")]
    )
    response = client.post("/v1/workflows", headers=bearer(owner), json={"name": "Borrow", "graph_json": bad})
    assert response.status_code == 422
    assert response.json()["detail"] == "node 'ask' (agent): no such agent of yours"


def test_an_agent_node_answers_with_the_agents_current_prompt_and_is_metered_to_the_run(runnable, llm, db):
    # GIVEN an agent, and a workflow that asks it; then the agent's prompt is edited
    from shared.agents import service as agent_service
    from shared.agents.schemas import AgentCreate, AgentUpdate

    agent = agent_service.create_agent(
        session=db, user=runnable.user, request=AgentCreate(**ANSWERS, model=TEST_MODEL)
    )
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("ask", "agent", agent_id=str(agent.id), prompt="Explain {{ input.topic }}"),
                node("out", "output", values={"answer": "{{ nodes.ask.text }}"}),
            ],
            [edge("in", "ask"), edge("ask", "out")],
        )
    )
    agent_service.update_agent(
        session=db, agent=agent, request=AgentUpdate(system_prompt="Answer in one line.")
    )
    llm.script(Completion(text="A decorator wraps a function.", prompt_tokens=30, completion_tokens=8))
    runnable.user.credits = settings.SIGNUP_BONUS_CREDITS
    # WHEN it runs
    execution = runnable.run(runnable.execution(workflow, {"topic": "decorators"}))
    # THEN the agent answered with its current prompt, and the call is the run's
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"answer": "A decorator wraps a function."}
    assert llm.requests[0].body["messages"] == [
        {"role": "system", "content": "Answer in one line."},
        {"role": "user", "content": "Explain decorators"},
    ]
    [entry] = [e for e in execution.execution_log if e["node_id"] == "ask"]
    assert entry["output"]["usage"] == {"prompt_tokens": 30, "completion_tokens": 8, "credits": 0.046}
    assert execution.credits_used > 0
