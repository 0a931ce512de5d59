"""The boto3 side of the deploy commands, against moto (in process; nothing reaches AWS)."""

import json

import boto3
import pytest
from moto import mock_aws

from infra.deploy.aws import Boto3Aws
from infra.deploy.errors import DeployError

REGION = "ap-southeast-1"
TINY_STACK = {
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {"ProxyEndpoint": {"Value": "proxy.internal"}, "DatabasePort": {"Value": "5432"}},
}


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    with mock_aws():
        yield Boto3Aws(REGION)


def test_a_secret_is_created_read_and_replaced_as_a_json_object(account):
    assert account.read_secret("ainav/prod/app") is None
    arn = account.create_secret("ainav/prod/app", {"SECRET_KEY": "k"}, description="settings")
    assert account.read_secret("ainav/prod/app").values == {"SECRET_KEY": "k"}
    assert account.put_secret_values(arn, {"SECRET_KEY": "k", "DATABASE_URL": "u"}) == arn
    stored = account.read_secret(arn)
    assert stored.arn == arn and stored.values == {"SECRET_KEY": "k", "DATABASE_URL": "u"}


def test_a_secret_that_is_not_a_json_object_is_refused(account):
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name="plain", SecretString="hunter2")
    with pytest.raises(DeployError, match="not a JSON object"):
        account.read_secret("plain")


def test_stack_outputs_and_parameters_are_read_and_a_missing_stack_is_none(account):
    assert account.stack_outputs("ainav-data-prod") is None
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="ainav-data-prod", TemplateBody=json.dumps(TINY_STACK)
    )
    assert account.stack_outputs("ainav-data-prod") == {
        "ProxyEndpoint": "proxy.internal",
        "DatabasePort": "5432",
    }
    assert account.stack_parameters("ainav-data-prod") == {}
