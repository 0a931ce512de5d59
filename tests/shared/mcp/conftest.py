"""What the MCP tests share: a real MCP server on loopback (the SDK's MCPServer under uvicorn, started
once for the module), which outbound calls may reach, and helpers to register servers and read the
queue."""

import json
import os

import boto3
import pytest

from tests.accounts import bearer


@pytest.fixture(scope="module")
def weather_station():  # type: ignore[no-untyped-def]
    from tests.fakes.mcp_server import FakeMcpServer

    with FakeMcpServer() as server:
        yield server


@pytest.fixture
def remote(weather_station, monkeypatch):  # type: ignore[no-untyped-def]
    """The loopback MCP server, reachable through the SSRF guard's allow-list, its log of headers fresh."""
    from shared.config import settings

    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    weather_station.seen_headers.clear()
    return weather_station


def register(client, account, **fields):  # type: ignore[no-untyped-def]
    """POST /v1/mcp-servers; returns the created server."""
    response = client.post("/v1/mcp-servers", headers=bearer(account), json={"name": "weather", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def queued_bodies(aws) -> list[dict]:  # type: ignore[no-untyped-def]
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    messages = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
