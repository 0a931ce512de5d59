"""HealthFunction end to end: an API Gateway HTTP API v2 event in, a Lambda proxy response out."""

import json

from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_health_event_returns_ok_with_the_database_version(engine):
    # GIVEN the HealthFunction and a sample API Gateway event
    function = load_function("functions/health")
    event = load_event("http_api_get_health.json")
    # WHEN Lambda invokes it
    response = function.handler(event, FakeLambdaContext())
    # THEN it answers 200 with the health document, tagged with the gateway's request id
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    assert body["database"]["server_version"]
    assert response["headers"]["x-request-id"] == event["requestContext"]["requestId"]
    assert response["headers"]["content-type"] == "application/json"


def test_logs_carry_the_gateway_request_id_as_correlation_id(engine):
    function = load_function("functions/health")
    event = load_event("http_api_get_health.json")
    function.handler(event, FakeLambdaContext())
    assert function.logger.get_correlation_id() == event["requestContext"]["requestId"]
