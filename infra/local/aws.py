"""The emulated AWS of `make dev`: a moto server on loopback, provisioned as template.yaml provisions AWS."""

import json
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "123456789012"  # moto's default account
EXECUTIONS_QUEUE = "ainav-executions"
EXECUTIONS_DLQ = "ainav-executions-dlq"
SCHEDULER_DLQ = "ainav-scheduler-dlq"
MAX_RECEIVE_COUNT = 5
WORKER_VISIBILITY_TIMEOUT_SECONDS = 360
SES_CONFIGURATION_SET = "ainav-local"


@dataclass(frozen=True)
class LocalAwsResources:
    queue_url: str
    queue_arn: str
    dlq_url: str
    scheduler_dlq_arn: str
    schedule_group: str
    scheduler_role_arn: str

    def as_settings(self) -> dict[str, str]:
        """The settings of `shared` that point at these resources."""
        return {
            "EXECUTIONS_QUEUE_URL": self.queue_url,
            "EXECUTIONS_QUEUE_ARN": self.queue_arn,
            "EXECUTIONS_DLQ_URL": self.dlq_url,
            "SCHEDULER_DLQ_ARN": self.scheduler_dlq_arn,
            "SCHEDULER_ROLE_ARN": self.scheduler_role_arn,
            "SCHEDULE_GROUP_NAME": self.schedule_group,
        }


def start_moto_server(port: int) -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def provision(endpoint_url: str | None, region: str, sender: str, schedule_group: str) -> LocalAwsResources:
    """Create the queue and its DLQ, the scheduler's DLQ, the SES identity and configuration set, and
    the schedule group (idempotent: a second start finds them)."""

    def client(name: str):  # type: ignore[no-untyped-def]
        return boto3.client(name, region_name=region, endpoint_url=endpoint_url)

    sqs = client("sqs")

    def queue_arn(url: str) -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    dlq_url = sqs.create_queue(QueueName=EXECUTIONS_DLQ)["QueueUrl"]
    redrive = {"deadLetterTargetArn": queue_arn(dlq_url), "maxReceiveCount": MAX_RECEIVE_COUNT}
    queue_url = sqs.create_queue(
        QueueName=EXECUTIONS_QUEUE,
        Attributes={
            "VisibilityTimeout": str(WORKER_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    scheduler_dlq_url = sqs.create_queue(QueueName=SCHEDULER_DLQ)["QueueUrl"]

    ses = client("sesv2")
    existing = {i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])}
    if sender not in existing:
        ses.create_email_identity(EmailIdentity=sender)
    configuration_sets = ses.list_configuration_sets().get("ConfigurationSets", [])
    if SES_CONFIGURATION_SET not in configuration_sets:
        ses.create_configuration_set(ConfigurationSetName=SES_CONFIGURATION_SET)

    scheduler = client("scheduler")
    groups = {g["Name"] for g in scheduler.list_schedule_groups().get("ScheduleGroups", [])}
    if schedule_group not in groups:
        scheduler.create_schedule_group(Name=schedule_group)

    return LocalAwsResources(
        queue_url=queue_url,
        queue_arn=queue_arn(queue_url),
        dlq_url=dlq_url,
        scheduler_dlq_arn=queue_arn(scheduler_dlq_url),
        schedule_group=schedule_group,
        scheduler_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/ainav-scheduler",
    )
