"""The emulated AWS of `make dev`: a moto server on loopback, provisioned as template.yaml provisions AWS."""

import json
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "123456789012"  # moto's default account
EXECUTIONS_QUEUE = "ainav-executions"
EXECUTIONS_DLQ = "ainav-executions-dlq"
MAX_RECEIVE_COUNT = 5
WORKER_VISIBILITY_TIMEOUT_SECONDS = 360
SES_CONFIGURATION_SET = "ainav-local"


@dataclass(frozen=True)
class LocalAwsResources:
    queue_url: str
    dlq_url: str
    schedule_group: str
    scheduler_role_arn: str


def start_moto_server(port: int) -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def provision(endpoint_url: str, region: str, sender: str, schedule_group: str) -> LocalAwsResources:
    """Create the queue and its DLQ, the SES identity and configuration set, the schedule group."""

    def client(name: str):  # type: ignore[no-untyped-def]
        return boto3.client(name, region_name=region, endpoint_url=endpoint_url)

    sqs = client("sqs")
    dlq_url = sqs.create_queue(QueueName=EXECUTIONS_DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=EXECUTIONS_QUEUE,
        Attributes={
            "VisibilityTimeout": str(WORKER_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
            ),
        },
    )["QueueUrl"]

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
        dlq_url=dlq_url,
        schedule_group=schedule_group,
        scheduler_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/ainav-scheduler",
    )
