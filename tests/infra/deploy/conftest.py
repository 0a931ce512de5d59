"""An in-memory AWS account and a recording runner for the deploy commands: nothing here calls AWS."""

import io
import json
from typing import Any

import pytest

from infra.deploy.aws import SesAccount, StoredSecret
from infra.deploy.errors import DeployError
from infra.deploy.runner import Progress

DATA_OUTPUTS = {
    "VpcId": "vpc-0a1",
    "PrivateSubnetIds": "subnet-0a1,subnet-0b2",
    "FunctionSecurityGroupId": "sg-0f1",
    "ProxyEndpoint": "ainav-prod.proxy-c1.ap-southeast-1.rds.amazonaws.com",
    "DatabasePort": "5432",
    "DatabaseName": "ainav",
    "DatabaseUsername": "ainav",
    "DatabaseSecretArn": "arn:aws:secretsmanager:ap-southeast-1:111122223333:secret:ainav/prod/database-Ab1",
    "DatabaseClusterIdentifier": "ainav-data-prod-databasecluster-x1",
    "NatPublicIps": "203.0.113.10,203.0.113.11",
}
APP_OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.ap-southeast-1.amazonaws.com/prod",
    "MigrateFunctionName": "ainav-prod-MigrateFunction-x1",
    "ExecutionsQueueUrl": "https://sqs.ap-southeast-1.amazonaws.com/111122223333/ainav-executions-prod",
    "ExecutionsDeadLetterQueueUrl": "https://sqs.ap-southeast-1.amazonaws.com/111122223333/ainav-executions-dlq-prod",
}
DATABASE_PASSWORD = "s3cretPassw0rdWithoutPunctuation"


class FakeAws:
    """An account: stacks appear when `sam deploy` of them is recorded by `FakeRunner`."""

    def __init__(self) -> None:
        self.stacks: dict[str, dict[str, str]] = {}
        self.parameters: dict[str, dict[str, str]] = {}
        self.secrets: dict[str, dict[str, Any]] = {
            DATA_OUTPUTS["DatabaseSecretArn"]: {"username": "ainav", "password": DATABASE_PASSWORD}
        }
        self.invoked: list[tuple[str, dict[str, Any]]] = []
        self.unprotected: list[str] = []
        self.migrate_error: str | None = None
        self.ses = SesAccount(production_access=True, max_send_rate=14, max_24_hour_send=50_000)
        self.verified = True
        self.concurrency = 1000

    def arn(self, secret_id: str) -> str:
        return (
            secret_id
            if secret_id.startswith("arn:")
            else f"arn:aws:secretsmanager:ap-southeast-1:1:secret:{secret_id}"
        )

    def stack_outputs(self, stack: str) -> dict[str, str] | None:
        return self.stacks.get(stack)

    def stack_parameters(self, stack: str) -> dict[str, str] | None:
        return self.parameters.get(stack)

    def read_secret(self, secret_id: str) -> StoredSecret | None:
        values = self.secrets.get(secret_id)
        return None if values is None else StoredSecret(arn=self.arn(secret_id), values=dict(values))

    def create_secret(self, name: str, values: dict[str, Any], description: str) -> str:
        assert name not in self.secrets
        self.secrets[name] = json.loads(json.dumps(values))
        return self.arn(name)

    def put_secret_values(self, secret_id: str, values: dict[str, Any]) -> str:
        assert secret_id in self.secrets
        self.secrets[secret_id] = json.loads(json.dumps(values))
        return self.arn(secret_id)

    def invoke(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.invoked.append((function_name, payload))
        if self.migrate_error:
            raise DeployError(f"{function_name} failed: {self.migrate_error}")
        return {"revision": "f9d71f123c6e"}

    def ses_account(self) -> SesAccount | None:
        return self.ses

    def ses_identity_verified(self, identity: str) -> bool | None:
        return self.verified

    def lambda_concurrency_limit(self) -> int | None:
        return self.concurrency

    def disable_deletion_protection(self, cluster_identifier: str) -> None:
        self.unprotected.append(cluster_identifier)


class FakeRunner:
    """Records commands; a `sam deploy` makes its stack exist in the fake account with canned outputs."""

    def __init__(self, aws: FakeAws) -> None:
        self.aws = aws
        self.commands: list[list[str]] = []
        self.required: list[str] = []

    def require(self, tool: str) -> None:
        self.required.append(tool)

    def run(self, argv: list[str]) -> None:
        self.commands.append(argv)
        if argv[:2] == ["sam", "deploy"]:
            stack = argv[argv.index("--stack-name") + 1]
            template = argv[argv.index("--template-file") + 1]
            overrides = argv[argv.index("--parameter-overrides") + 1 :]
            self.aws.parameters[stack] = dict(item.split("=", 1) for item in overrides)
            self.aws.stacks[stack] = dict(DATA_OUTPUTS if template.endswith("data.yaml") else APP_OUTPUTS)
        if argv[:2] == ["sam", "delete"]:
            self.aws.stacks.pop(argv[argv.index("--stack-name") + 1], None)


@pytest.fixture
def fake_aws() -> FakeAws:
    return FakeAws()


@pytest.fixture
def fake_runner(fake_aws: FakeAws) -> FakeRunner:
    return FakeRunner(fake_aws)


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def progress(output: io.StringIO) -> Progress:
    return Progress(output)
