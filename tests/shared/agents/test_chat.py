"""Chat with agents and workflows: conversations with history, tools the model calls, answers in the
request or finished by the worker, metering and charging, limits and refusals."""

import json
import os
import uuid
from decimal import Decimal

import boto3
import pytest
from sqlalchemy import select, update

from shared.agents import replies
from shared.catalog.models import Skill
from shared.config import settings
from shared.executions import worker
from shared.llm.models import UsageMetric
from shared.queue import messages as queue_messages
from shared.users.models import User
from tests.accounts import bearer, signup
from tests.conftest import TEST_MODEL
from tests.factories import make_tool
from tests.fakes.http_server import Reply
from tests.fakes.llm_provider import Completion
from tests.graphs import NAME_SCHEMA, edge, graph, node

ANSWERS = {"name": "Charlie", "qa_who": "A helpful assistant.", "qa_rules": "Be brief."}


@pytest.fixture
def owner(client):  # type: ignore[no-untyped-def]
    return signup(client)


def agent_of(client, account, **fields) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/agents", headers=bearer(account), json={**ANSWERS, "model": TEST_MODEL, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()


def say(client, account, agent_id: str, message: str, conversation_id: str | None = None):  # type: ignore[no-untyped-def]
    body = {"message": message, **({"conversation_id": conversation_id} if conversation_id else {})}
    return client.post(f"/v1/agents/{agent_id}/chat", headers=bearer(account), json=body)


def test_an_agent_answers_and_the_second_turn_carries_the_first(client, db, llm, owner):
    agent = agent_of(client, owner)
    llm.script(Completion(text="Hi, I am Charlie.", prompt_tokens=20, completion_tokens=6))
    first = say(client, owner, agent["id"], "Hello, who are you?")
    assert first.status_code == 200, first.text
    conversation_id = first.json()["conversation_id"]
    assert first.json()["message"]["role"] == "assistant"
    assert first.json()["message"]["content"] == "Hi, I am Charlie."
    assert first.json()["message"]["message_metadata"]["usage"] == {
        "prompt_tokens": 20,
        "completion_tokens": 6,
        "credits": 0.032,
    }
    llm.script(Completion(text="You asked who I am.", prompt_tokens=40, completion_tokens=6))
    second = say(client, owner, agent["id"], "What did I ask?", conversation_id)
    assert second.status_code == 200 and second.json()["conversation_id"] == conversation_id
    assert llm.requests[1].body["messages"] == [
        {"role": "system", "content": agent["system_prompt"]},
        {"role": "user", "content": "Hello, who are you?"},
        {"role": "assistant", "content": "Hi, I am Charlie."},
        {"role": "user", "content": "What did I ask?"},
    ]
    conversation = client.get(f"/v1/conversations/{conversation_id}", headers=bearer(owner)).json()
    assert (conversation["agent_id"], conversation["title"]) == (agent["id"], "Hello, who are you?")
    messages = client.get(f"/v1/conversations/{conversation_id}/messages", headers=bearer(owner)).json()
    assert [(m["role"], m["content"]) for m in messages["items"]] == [
        ("user", "Hello, who are you?"),
        ("assistant", "Hi, I am Charlie."),
        ("user", "What did I ask?"),
        ("assistant", "You asked who I am."),
    ]
    [metric] = db.scalars(select(UsageMetric).where(UsageMetric.session_id == conversation_id))
    assert (metric.session_type, metric.calls, metric.credits) == ("conversation", 2, Decimal("0.084"))


@pytest.fixture
def weather_skill(db, loopback):  # type: ignore[no-untyped-def]
    skill = Skill(
        tool_id=make_tool(db).id,
        name="Weather",
        slug="weather-now",
        description="The weather now in a city",
        api_endpoint=f"{loopback.url}/weather",
        http_method="GET",
        input_schema={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    db.add(skill)
    db.flush()
    return skill


def test_the_agent_calls_a_workflow_tool_and_a_skill_tool_and_answers_with_their_results(
    client, db, llm, owner, weather_skill, loopback, aws
):
    # GIVEN an agent whose tools are a greeting workflow of its owner's and a weather skill
    greeter = client.post(
        "/v1/workflows",
        headers=bearer(owner),
        json={
            "name": "Greeter",
            "description": "Greets someone by name",
            "input_schema": NAME_SCHEMA,
            "graph_json": graph(
                [
                    node("in", "input"),
                    node("hi", "template", template="Hello {{ input.name }}!"),
                    node("out", "output", values={"greeting": "{{ nodes.hi.text }}"}),
                ],
                [edge("in", "hi"), edge("hi", "out")],
            ),
        },
    ).json()
    agent = agent_of(
        client,
        owner,
        tools=[
            {"type": "workflow", "workflow_id": greeter["id"]},
            {"type": "skill", "skill_id": str(weather_skill.id)},
        ],
    )
    loopback.script("/weather", Reply(200, {"city": "Paris", "sky": "sunny"}))
    llm.script(
        Completion(
            tool_calls=[
                {"name": "workflow_greeter", "arguments": {"name": "Ada"}},
                {"name": "skill_weather-now", "arguments": {"city": "Paris"}},
            ]
        ),
        Completion(text="Hello Ada! It is sunny in Paris."),
    )
    # WHEN the owner asks
    answer = say(client, owner, agent["id"], "Greet Ada and tell her the weather in Paris")
    # THEN the model was offered both tools, ran them, read their results and answered
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"]["content"] == "Hello Ada! It is sunny in Paris."
    offered = [t["function"]["name"] for t in llm.requests[0].body["tools"]]
    assert offered == ["workflow_greeter", "skill_weather-now"]
    tool_results = [m for m in llm.requests[1].body["messages"] if m["role"] == "tool"]
    assert json.loads(tool_results[0]["content"])["output"] == {"greeting": "Hello Ada!"}
    assert json.loads(tool_results[1]["content"]) == {
        "status": 200,
        "body": {"city": "Paris", "sky": "sunny"},
    }
    calls = answer.json()["message"]["message_metadata"]["tool_calls"]
    assert [(c["name"], c["arguments"]) for c in calls] == [
        ("workflow_greeter", {"name": "Ada"}),
        ("skill_weather-now", {"city": "Paris"}),
    ]
    assert all(c["duration_ms"] >= 0 and "output" in c for c in calls)
    assert loopback.calls("/weather")[0].path == "/weather?city=Paris"
    runs = client.get(f"/v1/executions?workflow_id={greeter['id']}", headers=bearer(owner)).json()["items"]
    assert [(r["trigger_type"], r["status"]) for r in runs] == [("agent", "completed")]
    roles = [
        m["role"]
        for m in client.get(
            f"/v1/conversations/{answer.json()['conversation_id']}/messages", headers=bearer(owner)
        ).json()["items"]
    ]
    assert roles == ["user", "assistant", "tool", "tool", "assistant"]


def test_a_tool_that_fails_tells_the_model_and_the_chat_goes_on(client, llm, owner, weather_skill, loopback):
    agent = agent_of(client, owner, tools=[{"type": "skill", "skill_id": str(weather_skill.id)}])
    llm.script(
        Completion(tool_calls=[{"name": "skill_weather-now", "arguments": {"town": "Paris"}}]),
        Completion(text="I could not get the weather."),
    )
    answer = say(client, owner, agent["id"], "Weather in Paris?")
    assert answer.status_code == 200
    [call] = answer.json()["message"]["message_metadata"]["tool_calls"]
    assert "city" in call["error"]
    assert "error" in json.loads(
        next(m for m in llm.requests[1].body["messages"] if m["role"] == "tool")["content"]
    )
    assert loopback.calls("/weather") == []


def test_an_answer_that_takes_longer_goes_to_the_worker_and_completes(
    client, db, llm, owner, aws, monkeypatch
):
    # GIVEN a model slower than the chat's synchronous time
    monkeypatch.setattr(settings, "CHAT_SYNC_TIMEOUT_SECONDS", 1.5)
    agent = agent_of(client, owner)
    llm.script(Completion(text="A long and careful answer.", delay=2.0))
    # WHEN the owner asks
    answer = say(client, owner, agent["id"], "Write me an essay")
    # THEN the request answers 202 with the pending reply, and the queue holds its chat.reply
    assert answer.status_code == 202, answer.text
    pending = answer.json()["message"]
    assert (pending["role"], pending["status"], pending["content"]) == ("assistant", "pending", "")
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    [queued] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(queued["Body"]) == {"type": "chat.reply", "message_id": pending["id"]}
    # ... which the worker finishes (its part, on the test's session: the worker has its own in AWS)
    llm.script(Completion(text="A long and careful answer."))
    reply = queue_messages.parse(queued["Body"])
    replies.finish_reply(db, reply.message_id)
    messages = client.get(
        f"/v1/conversations/{answer.json()['conversation_id']}/messages", headers=bearer(owner)
    )
    last = messages.json()["items"][-1]
    assert (last["id"], last["status"], last["content"]) == (
        pending["id"],
        "complete",
        "A long and careful answer.",
    )
    replies.finish_reply(db, reply.message_id)  # a second delivery finds it done
    assert len(llm.requests) == 2


def test_the_model_down_is_503_with_retry_after_and_a_failed_reply(client, llm, owner):
    agent = agent_of(client, owner)
    llm.script(Completion(status=503, error="overloaded"))
    answer = say(client, owner, agent["id"], "Hello?")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    [conversation] = client.get("/v1/conversations", headers=bearer(owner)).json()["items"]
    items = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=bearer(owner)).json()[
        "items"
    ]
    assert [(m["role"], m["status"]) for m in items] == [("user", "complete"), ("assistant", "failed")]
    assert "HTTP 503" in items[1]["message_metadata"]["error"]


def test_without_credits_a_chat_is_402_and_nothing_is_kept(client, db, llm, owner):
    agent = agent_of(client, owner)
    db.execute(
        update(User).where(User.id == uuid.UUID(owner["user"]["id"])).values(bonus_credits=0, credits=0)
    )
    answer = say(client, owner, agent["id"], "Hello?")
    assert answer.status_code == 402
    assert llm.requests == []
    assert client.get("/v1/conversations", headers=bearer(owner)).json()["items"][0]["title"] == "Hello?"
    [conversation] = client.get("/v1/conversations", headers=bearer(owner)).json()["items"]
    assert (
        client.get(f"/v1/conversations/{conversation['id']}/messages", headers=bearer(owner)).json()["total"]
        == 0
    )


def test_who_may_chat_private_published_and_published_for_chat(client, db, llm, owner):
    other = signup(client)
    private = agent_of(client, owner)
    published = agent_of(client, owner, is_published=True)
    open_chat = agent_of(client, owner, is_published=True, is_public_chat=True)
    assert say(client, other, private["id"], "hi").status_code == 404
    assert say(client, other, published["id"], "hi").status_code == 403
    llm.script(Completion(text="Hello stranger.", prompt_tokens=10, completion_tokens=5))
    answered = say(client, other, open_chat["id"], "hi")
    assert answered.status_code == 200
    chatter = db.get(User, uuid.UUID(other["user"]["id"]))
    db.refresh(chatter)
    assert chatter.bonus_credits == Decimal(100) - Decimal("0.02")  # the chatter pays, not the owner


def test_someone_elses_conversation_is_404_and_a_foreign_conversation_id_too(client, llm, owner):
    other = signup(client)
    agent = agent_of(client, owner)
    llm.script(Completion(text="ok"))
    conversation_id = say(client, owner, agent["id"], "mine").json()["conversation_id"]
    for method, path in (
        ("GET", f"/v1/conversations/{conversation_id}"),
        ("GET", f"/v1/conversations/{conversation_id}/messages"),
        ("DELETE", f"/v1/conversations/{conversation_id}"),
    ):
        assert client.request(method, path, headers=bearer(other)).status_code == 404
    theirs = agent_of(client, other)
    assert say(client, other, theirs["id"], "continue", conversation_id).status_code == 404


def test_messages_are_limited_per_minute_and_in_size(client, llm, owner, monkeypatch):
    monkeypatch.setattr(settings, "MAX_CHAT_MESSAGES_PER_MINUTE", 2)
    agent = agent_of(client, owner)
    llm.script(Completion(text="ok"))
    assert say(client, owner, agent["id"], "one").status_code == 200
    assert say(client, owner, agent["id"], "two").status_code == 200
    third = say(client, owner, agent["id"], "three")
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    for message in ("", "   ", "x" * (settings.MAX_CHAT_MESSAGE_CHARS + 1)):
        response = say(client, owner, agent["id"], message)
        assert response.status_code == 422 and "x" * 50 not in response.text


def test_conversations_are_listed_renamed_and_deleted(client, llm, owner):
    agent = agent_of(client, owner)
    llm.script(Completion(text="ok"))
    conversation_id = say(client, owner, agent["id"], "first topic").json()["conversation_id"]
    listed = client.get(f"/v1/conversations?agent_id={agent['id']}", headers=bearer(owner)).json()
    assert [c["id"] for c in listed["items"]] == [conversation_id]
    renamed = client.patch(
        f"/v1/conversations/{conversation_id}", headers=bearer(owner), json={"title": "Renamed"}
    )
    assert renamed.json()["title"] == "Renamed"
    assert client.delete(f"/v1/conversations/{conversation_id}", headers=bearer(owner)).status_code == 204
    assert client.get(f"/v1/conversations/{conversation_id}", headers=bearer(owner)).status_code == 404


ECHO_HISTORY = graph(
    [
        node("in", "input"),
        node(
            "reply",
            "template",
            template="You said {{ input.message }} after {{ input.history | length }} messages",
        ),
        node("out", "output", values={"text": "{{ nodes.reply.text }}"}),
    ],
    [edge("in", "reply"), edge("reply", "out")],
)


def test_a_workflow_chats_with_the_message_and_the_history_as_its_input(client, owner, aws):
    workflow = client.post(
        "/v1/workflows", headers=bearer(owner), json={"name": "Echo", "graph_json": ECHO_HISTORY}
    ).json()
    url = f"/v1/workflows/{workflow['id']}/chat"
    first = client.post(url, headers=bearer(owner), json={"message": "hello"})
    assert first.status_code == 200, first.text
    assert first.json()["message"]["content"] == "You said hello after 0 messages"
    second = client.post(
        url,
        headers=bearer(owner),
        json={"message": "again", "conversation_id": first.json()["conversation_id"]},
    )
    assert second.json()["message"]["content"] == "You said again after 2 messages"
    run_id = second.json()["message"]["message_metadata"]["execution_id"]
    run = client.get(f"/v1/executions/{run_id}", headers=bearer(owner)).json()
    assert run["trigger_type"] == "chat"
    assert run["input_data"]["history"] == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "You said hello after 0 messages"},
    ]
    assert client.post(url, headers=bearer(signup(client)), json={"message": "hi"}).status_code == 404


def test_a_workflow_slower_than_the_chat_is_handed_to_the_worker_at_its_next_node(
    client, db, owner, aws, loopback, monkeypatch
):
    # GIVEN a workflow whose http node answers after the chat's synchronous time
    monkeypatch.setattr(settings, "CHAT_SYNC_TIMEOUT_SECONDS", 1.0)
    loopback.script("/slow", Reply(200, {"value": 42}, delay=1.5))
    slow = graph(
        [
            node("in", "input"),
            node("hi", "template", template="got {{ input.message }}"),
            node("fetch", "http", url=f"{loopback.url}/slow"),
            node("out", "output", values={"text": "{{ nodes.hi.text }}: {{ nodes.fetch.body.value }}"}),
        ],
        [edge("in", "hi"), edge("hi", "fetch"), edge("fetch", "out")],
    )
    workflow = client.post(
        "/v1/workflows", headers=bearer(owner), json={"name": "Slow", "graph_json": slow}
    ).json()
    # WHEN the owner chats with it
    answer = client.post(
        f"/v1/workflows/{workflow['id']}/chat", headers=bearer(owner), json={"message": "ping"}
    )
    # THEN 202: the run went back to the queue after its finished nodes, the reply pending
    assert answer.status_code == 202, answer.text
    run_id = uuid.UUID(answer.json()["message"]["message_metadata"]["execution_id"])
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    [queued] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(queued["Body"]) == {"type": "execution.run", "execution_id": str(run_id)}
    # ... the worker goes on from the http node, reusing what was done
    loopback.script("/slow", Reply(200, {"value": 42}))
    assert worker.run_execution(session=db, execution_id=run_id) == "completed"
    run = client.get(f"/v1/executions/{run_id}", headers=bearer(owner)).json()
    assert [(e["node_id"], e["status"]) for e in run["execution_log"]] == [
        ("in", "reused"),
        ("hi", "reused"),
        ("fetch", "completed"),
        ("out", "completed"),
    ]
    # ... and the reply reads as done
    messages = client.get(
        f"/v1/conversations/{answer.json()['conversation_id']}/messages", headers=bearer(owner)
    ).json()["items"]
    assert (messages[-1]["status"], messages[-1]["content"]) == ("complete", "got ping: 42")
