"""Every skill, http and llm call of a run is a tool call with its duration, listed at
/v1/executions/{id}/tool-calls; the catalog's skill statistics are computed from them."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from shared.api.pagination import PageParams
from shared.config import get_utc_now, settings
from shared.executions import tool_calls, worker
from shared.executions.models import AgentExecution, ToolExecution
from tests.accounts import bearer, signup
from tests.factories import make_skill, make_tool
from tests.fakes.http_server import Reply
from tests.fakes.llm_provider import Completion
from tests.graphs import edge, graph, node


@pytest.fixture
def weather_skill(db, loopback):  # type: ignore[no-untyped-def]
    return make_skill(
        db,
        make_tool(db),
        slug="weather-now",
        api_endpoint=f"{loopback.url}/weather",
        input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
    )


def test_every_skill_http_and_llm_call_of_a_run_is_listed_with_its_duration(
    runnable, db, llm, loopback, weather_skill
):
    # GIVEN a run that calls a skill twice, an HTTP endpoint (failing once, then answering) and a model
    loopback.script("/weather", Reply(body={"temp": 21}))
    loopback.script("/hook", Reply(503, {"error": "busy"}), Reply(200, {"ok": True}))
    llm.script(Completion(text="Warm."))
    runnable.user.credits = Decimal(10)
    retry = {"max_attempts": 2, "backoff_seconds": 0}
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("now", "skill", skill_id=str(weather_skill.id), params={"city": "Hangzhou"}),
                node("again", "skill", skill_id=str(weather_skill.id), params={"city": "Shanghai"}),
                node("post", "http", url=f"{loopback.url}/hook", method="POST", retry=retry),
                node("say", "llm", prompt="Is {{ nodes.now.body.temp }} warm?"),
                node("out", "output", values={"text": "{{ nodes.say.text }}"}),
            ],
            [
                edge("in", "now"),
                edge("now", "again"),
                edge("again", "post"),
                edge("post", "say"),
                edge("say", "out"),
            ],
        ),
        llm_model=settings.LLM_DEFAULT_MODEL,
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "completed", execution.error_message
    # WHEN its tool calls are listed
    calls, total = tool_calls.list_of_execution(db, execution.id, PageParams(page=1, page_size=20))
    # THEN each call is there, in order, with its tool, status, attempt and duration
    assert total == 5
    assert [(call.node_id, call.tool_type, call.tool, call.status, call.attempt) for call in calls] == [
        ("now", "skill", "weather-now", "completed", 1),
        ("again", "skill", "weather-now", "completed", 1),
        ("post", "http", "POST 127.0.0.1", "failed", 1),
        ("post", "http", "POST 127.0.0.1", "completed", 2),
        ("say", "llm", settings.LLM_DEFAULT_MODEL, "completed", 1),
    ]
    assert all(call.duration_ms is not None and call.duration_ms >= 0 for call in calls)
    assert all(call.completed_at >= call.started_at for call in calls)
    assert calls[0].skill_id == weather_skill.id and calls[0].input["params"] == {"city": "Hangzhou"}
    assert calls[2].error.startswith("HTTP 503") and calls[4].output["text"] == "Warm."
    # AND the skill's statistics are computed from its calls
    db.refresh(weather_skill)
    durations = [call.duration_ms for call in calls[:2]]
    assert weather_skill.usage_count == 2
    assert weather_skill.avg_latency_ms == pytest.approx(sum(durations) / 2)


def test_the_tool_calls_route_is_the_owners_and_paginated(client, db, runnable, llm, loopback, weather_skill):
    owner = signup(client)
    loopback.script("/weather", Reply(body={"temp": 3}))
    steps = [
        node(f"s{n}", "skill", skill_id=str(weather_skill.id), params={"city": "Harbin"}) for n in range(3)
    ]
    nodes = [node("in", "input"), *steps]
    edges = [edge(a["id"], b["id"]) for a, b in itertools.pairwise(nodes)]
    created = client.post(
        "/v1/workflows", headers=bearer(owner), json={"name": "Cold", "graph_json": graph(nodes, edges)}
    ).json()
    execution = AgentExecution(workflow_id=created["id"], user_id=owner["user"]["id"], workflow_version=1)
    db.add(execution)
    db.commit()
    worker.run_execution(session=db, execution_id=execution.id)
    url = f"/v1/executions/{execution.id}/tool-calls"
    page = client.get(url, headers=bearer(owner), params={"page_size": 2}).json()
    assert page["total"] == 3 and [item["node_id"] for item in page["items"]] == ["s0", "s1"]
    assert page["items"][0]["duration_ms"] >= 0 and page["items"][0]["tool"] == "weather-now"
    assert client.get(url, headers=bearer(signup(client))).status_code == 404


def test_a_long_output_is_kept_cut_saying_so(monkeypatch):
    monkeypatch.setattr(settings, "TOOL_CALL_OUTPUT_MAX_CHARS", 20)
    assert tool_calls.capped({"a": 1}) == {"a": 1}
    cut = tool_calls.capped({"text": "x" * 100})
    assert cut["truncated"] is True and cut["length"] > 100 and len(cut["start"]) == 20


def test_old_tool_calls_are_purged(db, runnable, weather_skill, loopback):
    loopback.script("/weather", Reply(body={"temp": 1}))
    workflow = runnable.workflow(
        graph(
            [node("in", "input"), node("now", "skill", skill_id=str(weather_skill.id), params={"city": "X"})],
            [edge("in", "now")],
        )
    )
    runnable.run(runnable.execution(workflow))
    old = get_utc_now() - timedelta(days=settings.TOOL_CALL_RETENTION_DAYS + 1)
    db.execute(update(ToolExecution).values(created_at=old))
    assert tool_calls.purge_old(db) >= 1
    assert db.scalars(select(ToolExecution)).all() == []
