"""WorkflowsFunction through its Lambda handler."""

import json

from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_the_public_list_answers_anonymous_callers_in_the_page_envelope(engine):
    function = load_function("functions/workflows")
    response = function.handler(load_event("http_api_get_public_workflows.json"), FakeLambdaContext())
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert set(body) == {"items", "total", "page", "page_size"}
    assert body["page_size"] == 5


def test_projects_are_served_here_and_need_credentials(engine):
    function = load_function("functions/workflows")
    response = function.handler(load_event("http_api_get_projects.json"), FakeLambdaContext())
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"detail": "Not authenticated"}
