"""AdminFunction through its Lambda handler."""

import json

from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_an_anonymous_admin_request_is_401(engine):
    # GIVEN the AdminFunction and an API Gateway event for GET /v1/admin/roles without credentials
    function = load_function("functions/admin")
    # WHEN Lambda invokes it
    response = function.handler(load_event("http_api_get_admin_roles.json"), FakeLambdaContext())
    # THEN it asks for credentials
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"detail": "Not authenticated"}


def test_the_current_notices_need_no_account(engine):
    event = load_event("http_api_get_admin_roles.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/v1/notices"
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /v1/notices"
    event.pop("pathParameters")
    response = load_function("functions/admin").handler(event, FakeLambdaContext())
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["items"] == []
