"""Every AWS API call of the deploy commands, behind one protocol: boto3 for real, placeholders in a dry run
(which calls nothing and says what it would do), and in-memory fakes in the tests."""

import base64
import json
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from infra.deploy.errors import DeployError
from infra.deploy.runner import Progress

MIGRATE_READ_TIMEOUT_SECONDS = 330  # MigrateFunction's 300 s timeout plus margin


@dataclass(frozen=True)
class StoredSecret:
    arn: str
    values: dict[str, Any]  # the JSON object it holds (read for the checklist; never printed)


@dataclass(frozen=True)
class SesAccount:
    production_access: bool
    max_send_rate: float
    max_24_hour_send: float


class Aws(Protocol):
    def stack_outputs(self, stack: str) -> dict[str, str] | None: ...

    def stack_parameters(self, stack: str) -> dict[str, str] | None: ...

    def read_secret(self, secret_id: str) -> StoredSecret | None: ...

    def create_secret(self, name: str, values: dict[str, Any], description: str) -> str: ...

    def put_secret_values(self, secret_id: str, values: dict[str, Any]) -> str: ...

    def invoke(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def ses_account(self) -> SesAccount | None: ...

    def ses_identity_verified(self, identity: str) -> bool | None: ...

    def lambda_concurrency_limit(self) -> int | None: ...

    def disable_deletion_protection(self, cluster_identifier: str) -> None: ...


class Boto3Aws:
    """The real account, with the credentials boto3 finds (environment, profile, SSO)."""

    def __init__(self, region: str) -> None:
        import boto3
        from botocore.config import Config

        self.session = boto3.session.Session(region_name=region)
        self.config = Config(read_timeout=MIGRATE_READ_TIMEOUT_SECONDS, retries={"max_attempts": 3})

    def client(self, service: str) -> Any:
        return self.session.client(service, config=self.config)

    def _stack(self, stack: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise DeployError(f"cannot read stack {stack}: {exc}") from exc

    def stack_outputs(self, stack: str) -> dict[str, str] | None:
        found = self._stack(stack)
        if found is None:
            return None
        return {output["OutputKey"]: output["OutputValue"] for output in found.get("Outputs", [])}

    def stack_parameters(self, stack: str) -> dict[str, str] | None:
        found = self._stack(stack)
        if found is None:
            return None
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in found.get("Parameters", [])}

    def read_secret(self, secret_id: str) -> StoredSecret | None:
        client = self.client("secretsmanager")
        try:
            secret = client.get_secret_value(SecretId=secret_id)
        except client.exceptions.ResourceNotFoundException:
            return None
        try:
            values = json.loads(secret.get("SecretString") or "{}")
        except json.JSONDecodeError:
            values = None
        if not isinstance(values, dict):
            raise DeployError(f"secret {secret_id} is not a JSON object of settings")
        return StoredSecret(arn=str(secret["ARN"]), values=values)

    def create_secret(self, name: str, values: dict[str, Any], description: str) -> str:
        created = self.client("secretsmanager").create_secret(
            Name=name, Description=description, SecretString=json.dumps(values)
        )
        return str(created["ARN"])

    def put_secret_values(self, secret_id: str, values: dict[str, Any]) -> str:
        stored = self.client("secretsmanager").put_secret_value(
            SecretId=secret_id, SecretString=json.dumps(values)
        )
        return str(stored["ARN"])

    def invoke(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.client("lambda").invoke(
            FunctionName=function_name, Payload=json.dumps(payload).encode(), LogType="Tail"
        )
        body = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            log_tail = base64.b64decode(response.get("LogResult", "")).decode(errors="replace")
            raise DeployError(f"{function_name} failed: {body}\n--- end of its log ---\n{log_tail}")
        return body if isinstance(body, dict) else {"result": body}

    def ses_account(self) -> SesAccount | None:
        account = self.client("sesv2").get_account()
        quota = account.get("SendQuota", {})
        return SesAccount(
            production_access=bool(account.get("ProductionAccessEnabled")),
            max_send_rate=float(quota.get("MaxSendRate", 0)),
            max_24_hour_send=float(quota.get("Max24HourSend", 0)),
        )

    def ses_identity_verified(self, identity: str) -> bool | None:
        client = self.client("sesv2")
        for candidate in (identity, identity.rpartition("@")[2]):  # the address, then its domain
            try:
                found = client.get_email_identity(EmailIdentity=candidate)
            except client.exceptions.NotFoundException:
                continue
            if found.get("VerifiedForSendingStatus"):
                return True
        return False

    def lambda_concurrency_limit(self) -> int | None:
        limits = self.client("lambda").get_account_settings()["AccountLimit"]
        return int(limits["ConcurrentExecutions"])

    def disable_deletion_protection(self, cluster_identifier: str) -> None:
        self.client("rds").modify_db_cluster(
            DBClusterIdentifier=cluster_identifier, DeletionProtection=False, ApplyImmediately=True
        )


class DryRunAws:
    """Calls nothing: stacks answer with placeholders, secrets as in an empty account, writes are printed;
    what only a real account knows (SES, the Lambda quota) stays unknown."""

    def __init__(self, progress: Progress, region: str) -> None:
        self.progress = progress
        self.region = region

    def say(self, message: str) -> None:
        self.progress.info(f"aws: {message}")

    def stack_outputs(self, stack: str) -> dict[str, str] | None:
        self.say(f"read the outputs of stack {stack}")
        return PlaceholderOutputs(stack)

    def stack_parameters(self, stack: str) -> dict[str, str] | None:
        self.say(f"read the parameters of stack {stack}")
        return PlaceholderOutputs(stack)

    def read_secret(self, secret_id: str) -> StoredSecret | None:
        self.say(f"read secret {secret_id}")
        if secret_id.endswith(".DatabaseSecretArn>"):  # the data tier's secret, named by a placeholder
            return StoredSecret(arn=secret_id, values={"username": "ainav", "password": "<password>"})
        return None

    def create_secret(self, name: str, values: dict[str, Any], description: str) -> str:
        self.say(f"create secret {name} holding {', '.join(sorted(values)) or 'nothing'}")
        return f"arn:aws:secretsmanager:{self.region}:<account>:secret:{name}"

    def put_secret_values(self, secret_id: str, values: dict[str, Any]) -> str:
        self.say(f"store {', '.join(sorted(values))} in secret {secret_id}")
        return f"arn:aws:secretsmanager:{self.region}:<account>:secret:{secret_id}"

    def invoke(self, function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.say(f"invoke {function_name} with {json.dumps(payload)}")
        return {"revision": "<head>"}

    def ses_account(self) -> SesAccount | None:
        return None

    def ses_identity_verified(self, identity: str) -> bool | None:
        return None

    def lambda_concurrency_limit(self) -> int | None:
        return None

    def disable_deletion_protection(self, cluster_identifier: str) -> None:
        self.say(f"turn off deletion protection of cluster {cluster_identifier}")


class PlaceholderOutputs(dict[str, str]):
    """The outputs of a stack not read: the constants of infra/aws/data.yaml as they are, anything else as
    `<stack.Name>`."""

    CONSTANTS: ClassVar[dict[str, str]] = {
        "DatabaseUsername": "ainav",
        "DatabaseName": "ainav",
        "DatabasePort": "5432",
    }

    def __init__(self, stack: str) -> None:
        super().__init__(self.CONSTANTS)
        self.stack = stack

    def __missing__(self, key: str) -> str:
        return f"<{self.stack}.{key}>"

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key]
