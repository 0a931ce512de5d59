"""WebhooksFunction through its Lambda handler: the signature covers the exact (base64-decoded) body."""

import base64
import json
import time
import uuid

import boto3
from sqlalchemy import delete, select

from shared import crypto
from shared.db import session_scope
from shared.executions.models import AgentExecution
from shared.users.models import User
from shared.webhooks.service import sign
from shared.workflows.models import AgentWorkflow
from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_a_signed_api_gateway_event_queues_a_run(aws):
    # GIVEN a committed webhook workflow
    secret = "whsec_" + uuid.uuid4().hex
    with session_scope() as session:
        user = User(email=f"hook-{uuid.uuid4().hex[:8]}@example.com", username=f"hook_{uuid.uuid4().hex[:8]}")
        session.add(user)
        session.flush()
        workflow = AgentWorkflow(
            user_id=user.id,
            name="Hooked",
            slug=f"hooked-{uuid.uuid4().hex[:8]}",
            trigger_type="webhook",
            webhook_secret_encrypted=crypto.encrypt(secret),
            version_history=[],
        )
        session.add(workflow)
        session.flush()
        user_id, workflow_id = user.id, str(workflow.id)
    try:
        # WHEN API Gateway delivers a signed call (body base64-encoded, as it may be)
        event = json.loads(
            json.dumps(load_event("http_api_post_hook.json")).replace("WORKFLOW_ID", workflow_id)
        )
        body = base64.b64decode(event["body"])
        event["headers"]["x-ainav-signature"] = sign(secret, int(time.time()), body)
        response = load_function("functions/webhooks").handler(event, FakeLambdaContext())
        # THEN a pending execution exists and its message is on the queue
        assert response["statusCode"] == 202, response["body"]
        execution_id = json.loads(response["body"])["id"]
        with session_scope() as session:
            execution = session.scalar(select(AgentExecution).where(AgentExecution.id == execution_id))
            assert (execution.status, execution.input_data) == ("pending", {"name": "from lambda"})
            assert execution.trigger_metadata["source_ip"] == "140.82.112.1"
        sqs = boto3.client("sqs", region_name="us-east-1")
        [message] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
        assert json.loads(message["Body"]) == {"type": "execution.run", "execution_id": execution_id}
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id == user_id))
