"""Scheduled workflows: one EventBridge Scheduler schedule each, in moto, following every change."""

import json
from datetime import datetime

import boto3
import pytest

from tests.accounts import bearer, signup
from tests.graphs import NAME_SCHEMA

SCHEDULE = {"cron": "0 9 * * 1-5", "timezone": "Asia/Shanghai", "input": {"name": "team"}}


@pytest.fixture
def scheduler(aws):  # type: ignore[no-untyped-def]
    return boto3.client("scheduler", region_name="us-east-1")


def schedule_of(scheduler, aws, workflow_id: str):  # type: ignore[no-untyped-def]
    return scheduler.get_schedule(Name=f"wf-{workflow_id}", GroupName=aws.schedule_group)


def schedule_names(scheduler, aws) -> set[str]:  # type: ignore[no-untyped-def]
    return {s["Name"] for s in scheduler.list_schedules(GroupName=aws.schedule_group)["Schedules"]}


def create_scheduled(client, tokens, **config):  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={
            "name": "Morning report",
            "input_schema": NAME_SCHEMA,
            "trigger_type": "schedule",
            "trigger_config": {**SCHEDULE, **config},
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_scheduled_workflow_gets_its_schedule(client, aws, scheduler):
    tokens = signup(client)
    workflow = create_scheduled(client, tokens)
    schedule = schedule_of(scheduler, aws, workflow["id"])
    assert schedule["ScheduleExpression"] == "cron(0 9 ? * MON,TUE,WED,THU,FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "Asia/Shanghai"
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == aws.queue_arn
    assert target["RoleArn"] == aws.scheduler_role_arn
    assert target["DeadLetterConfig"] == {"Arn": aws.scheduler_dlq_arn}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert json.loads(target["Input"]) == {
        "type": "workflow.scheduled",
        "workflow_id": workflow["id"],
        "scheduled_at": "<aws.scheduler.scheduled-time>",
    }
    assert workflow["trigger_config"] == {**SCHEDULE, "enabled": True}


def test_the_response_carries_the_next_five_fire_times(client, aws):
    workflow = create_scheduled(client, signup(client))
    times = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in workflow["next_fire_times"]]
    assert len(times) == 5
    assert times == sorted(times)
    assert all((t.hour, t.minute) == (1, 0) and t.weekday() < 5 for t in times)  # 09:00 Shanghai on weekdays


def test_the_schedule_follows_updates(client, aws, scheduler):
    tokens = signup(client)
    workflow = create_scheduled(client, tokens)
    response = client.patch(
        f"/v1/workflows/{workflow['id']}",
        headers=bearer(tokens),
        json={
            "trigger_config": {"cron": "30 18 ? * FRI *", "timezone": "Europe/Berlin", "input": {"name": "x"}}
        },
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    schedule = schedule_of(scheduler, aws, workflow["id"])
    assert schedule["ScheduleExpression"] == "cron(30 18 ? * FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    "change",
    [
        {"trigger_config": {**SCHEDULE, "enabled": False}},
        {"trigger_type": "manual"},
        {"trigger_type": "webhook"},
    ],
)
def test_disabling_or_changing_the_trigger_removes_the_schedule(client, aws, scheduler, change):
    tokens = signup(client)
    workflow = create_scheduled(client, tokens)
    assert f"wf-{workflow['id']}" in schedule_names(scheduler, aws)
    response = client.patch(f"/v1/workflows/{workflow['id']}", headers=bearer(tokens), json=change)
    assert response.status_code == 200, response.text
    assert f"wf-{workflow['id']}" not in schedule_names(scheduler, aws)
    assert response.json()["next_fire_times"] == []


def test_deleting_the_workflow_removes_the_schedule(client, aws, scheduler):
    tokens = signup(client)
    workflow = create_scheduled(client, tokens)
    client.delete(f"/v1/workflows/{workflow['id']}", headers=bearer(tokens))
    assert schedule_names(scheduler, aws) == set()


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"cron": "every morning"}, "cron 'every morning' is not valid"),
        ({"cron": "0 9 1 * 1"}, "either a day-of-month or a day-of-week"),
        ({"timezone": "Moon/Base"}, "IANA"),
        ({"input": {"n": 3}}, "trigger_config.input: 'name' is a required property"),
        ({"cron": None}, "cron must be a string"),
        ({"every": "day"}, "unknown keys: every"),
    ],
)
def test_invalid_schedules_are_422_and_create_nothing(client, aws, scheduler, config, fragment):
    tokens = signup(client)
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={
            "name": "x",
            "input_schema": NAME_SCHEMA,
            "trigger_type": "schedule",
            "trigger_config": {**SCHEDULE, **config},
        },
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert schedule_names(scheduler, aws) == set()
    assert client.get("/v1/workflows", headers=bearer(tokens)).json()["total"] == 0


def test_a_schedule_needs_a_cron(client, aws):
    tokens = signup(client)
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={"name": "x", "trigger_type": "schedule", "trigger_config": {}},
    )
    assert response.status_code == 422
    assert "cron is required" in response.json()["detail"]


# --- the owner's timezone is the default of new schedules ------------------------------------------


def without_timezone() -> dict:  # type: ignore[type-arg]
    return {key: value for key, value in SCHEDULE.items() if key != "timezone"}


def set_timezone(client, tokens, timezone: str) -> None:  # type: ignore[no-untyped-def]
    response = client.patch("/v1/users/me/profile", headers=bearer(tokens), json={"timezone": timezone})
    assert response.status_code == 200, response.text


def schedule_without_timezone(client, tokens) -> dict:  # type: ignore[no-untyped-def, type-arg]
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={
            "name": "Daily",
            "input_schema": NAME_SCHEMA,
            "trigger_type": "schedule",
            "trigger_config": without_timezone(),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_schedule_without_a_timezone_runs_in_the_owners_profile_timezone(client, aws, scheduler):
    # GIVEN an owner whose profile says Europe/Berlin
    tokens = signup(client)
    set_timezone(client, tokens, "Europe/Berlin")
    # WHEN they schedule a workflow without naming a timezone
    workflow = schedule_without_timezone(client, tokens)
    # THEN the schedule, stored and in EventBridge, runs in Berlin time
    assert workflow["trigger_config"]["timezone"] == "Europe/Berlin"
    assert schedule_of(scheduler, aws, workflow["id"])["ScheduleExpressionTimezone"] == "Europe/Berlin"


def test_a_schedule_that_names_its_timezone_keeps_it(client, aws):
    tokens = signup(client)
    set_timezone(client, tokens, "Europe/Berlin")
    assert create_scheduled(client, tokens)["trigger_config"]["timezone"] == "Asia/Shanghai"


def test_without_a_profile_timezone_a_schedule_runs_in_utc(client, aws):
    assert schedule_without_timezone(client, signup(client))["trigger_config"]["timezone"] == "UTC"


def test_a_trigger_changed_to_a_schedule_without_a_timezone_takes_the_owners(client, aws, scheduler):
    # GIVEN a manual workflow of an owner in Tokyo
    tokens = signup(client)
    set_timezone(client, tokens, "Asia/Tokyo")
    workflow = client.post(
        "/v1/workflows", headers=bearer(tokens), json={"name": "x", "input_schema": NAME_SCHEMA}
    ).json()
    # WHEN its trigger becomes a schedule that names no timezone
    response = client.patch(
        f"/v1/workflows/{workflow['id']}",
        headers=bearer(tokens),
        json={"trigger_type": "schedule", "trigger_config": without_timezone()},
    )
    # THEN it runs in Tokyo time
    assert response.status_code == 200, response.text
    assert response.json()["trigger_config"]["timezone"] == "Asia/Tokyo"
    assert schedule_of(scheduler, aws, workflow["id"])["ScheduleExpressionTimezone"] == "Asia/Tokyo"


def test_changing_the_profile_timezone_leaves_existing_schedules_as_they_are(client, aws, scheduler):
    # GIVEN a schedule that took its owner's timezone, Tokyo
    tokens = signup(client)
    set_timezone(client, tokens, "Asia/Tokyo")
    workflow = schedule_without_timezone(client, tokens)
    # WHEN the owner moves to New York
    set_timezone(client, tokens, "America/New_York")
    # THEN the schedule still runs in Tokyo time (it stored its timezone when it was set)
    assert schedule_of(scheduler, aws, workflow["id"])["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    read = client.get(f"/v1/workflows/{workflow['id']}", headers=bearer(tokens)).json()
    assert read["trigger_config"]["timezone"] == "Asia/Tokyo"
