"""UsersFunction through its Lambda handler."""

import json

from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_an_anonymous_request_is_401_with_a_bearer_challenge(engine):
    function = load_function("functions/users")
    response = function.handler(load_event("http_api_get_users_me.json"), FakeLambdaContext())
    assert response["statusCode"] == 401
    assert response["headers"]["www-authenticate"] == "Bearer"
    assert json.loads(response["body"]) == {"detail": "Not authenticated"}


def test_the_profile_is_served_here_and_needs_credentials(engine):
    function = load_function("functions/users")
    response = function.handler(load_event("http_api_get_users_me_profile.json"), FakeLambdaContext())
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"detail": "Not authenticated"}
