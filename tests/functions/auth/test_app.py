"""AuthFunction through its Lambda handler: the login log sees API Gateway's source IP."""

import json

from sqlalchemy import delete, select

from shared.auth.models import LoginLog
from shared.db import session_scope
from tests.lambda_support import FakeLambdaContext, load_event, load_function

IDENTIFIER = "nobody-from-lambda@example.com"  # the sample event's; tests/test_template.py sends it too


def test_a_failed_login_event_is_401_and_logged_with_the_gateway_source_ip(engine):
    with session_scope() as session:  # whatever ran before, count only this invocation's row
        session.execute(delete(LoginLog).where(LoginLog.identifier == IDENTIFIER))
    function = load_function("functions/auth")
    event = load_event("http_api_post_login.json")
    response = function.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"detail": "Incorrect email/username or password"}
    with session_scope() as session:
        logged = session.scalars(select(LoginLog).where(LoginLog.identifier == IDENTIFIER)).all()
        assert [(row.status, row.ip, row.user_agent) for row in logged] == [
            ("failure", "198.51.100.7", "ainav-web/1.0")
        ]
        session.execute(delete(LoginLog).where(LoginLog.identifier == IDENTIFIER))
