"""The Lambda handler of an API function: synchronous routes and dependencies run in the invoking
thread while it serves an event (one request per execution environment), in the thread pool when the
same app is served concurrently (uvicorn in `make dev`, tests' clients)."""

import json
import threading

from aws_lambda_powertools import Logger, Metrics
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from tests.lambda_support import FakeLambdaContext, load_event

router = APIRouter()


def dependency_thread() -> str:
    return threading.current_thread().name


@router.get("/health")
def report_threads(dependency: str = Depends(dependency_thread)) -> dict[str, str]:
    return {"route": threading.current_thread().name, "dependency": dependency}


def app_and_handler():  # type: ignore[no-untyped-def]
    app = create_app(router, title="threads")
    return app, make_http_handler(app, logger=Logger(), metrics=Metrics(namespace="ainav-test"))


def test_a_lambda_event_runs_sync_routes_and_dependencies_in_the_invoking_thread():
    _, handler = app_and_handler()
    response = handler(load_event("http_api_get_health.json"), FakeLambdaContext())
    assert response["statusCode"] == 200
    invoking = threading.current_thread().name
    assert json.loads(response["body"]) == {"route": invoking, "dependency": invoking}


def test_the_same_app_served_concurrently_keeps_the_thread_pool():
    app, handler = app_and_handler()
    handler(load_event("http_api_get_health.json"), FakeLambdaContext())  # the handler exists and served
    with TestClient(app) as client:
        body = client.get("/v1/health").json()
    assert body["route"] != threading.current_thread().name
    assert "AnyIO worker thread" in body["route"] and "AnyIO worker thread" in body["dependency"]


def test_an_error_in_a_lambda_event_leaves_the_next_request_served_normally():
    app, handler = app_and_handler()
    missing = load_event("http_api_get_health.json")
    missing["rawPath"] = missing["requestContext"]["http"]["path"] = "/v1/nowhere"
    assert handler(missing, FakeLambdaContext())["statusCode"] == 404
    with TestClient(app) as client:
        assert "AnyIO worker thread" in client.get("/v1/health").json()["route"]
