"""The emulated AWS of `make dev`: a moto server on loopback, provisioned as template.yaml provisions AWS."""

import json
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "123456789012"  # moto's default account
EXECUTIONS_QUEUE = "ainav-executions"
EXECUTIONS_DLQ = "ainav-executions-dlq"
PRIORITY_QUEUE = "ainav-priority"
MAIL_QUEUE = "ainav-mail"
MAIL_DLQ = "ainav-mail-dlq"
SCHEDULER_DLQ = "ainav-scheduler-dlq"
ARTIFACTS_BUCKET = "ainav-artifacts"
ARTIFACT_RETENTION_DAYS = 90
MAX_RECEIVE_COUNT = 5
WORKER_VISIBILITY_TIMEOUT_SECONDS = 360
SES_CONFIGURATION_SET = "ainav-local"


@dataclass(frozen=True)
class LocalAwsResources:
    queue_url: str
    queue_arn: str
    dlq_url: str
    priority_queue_url: str
    priority_queue_arn: str
    mail_queue_url: str
    mail_queue_arn: str
    mail_dlq_url: str
    scheduler_dlq_arn: str
    schedule_group: str
    scheduler_role_arn: str
    artifacts_bucket: str

    def as_settings(self) -> dict[str, str]:
        """The settings of `shared` that point at these resources."""
        return {
            "EXECUTIONS_QUEUE_URL": self.queue_url,
            "EXECUTIONS_QUEUE_ARN": self.queue_arn,
            "EXECUTIONS_DLQ_URL": self.dlq_url,
            "PRIORITY_QUEUE_URL": self.priority_queue_url,
            "MAIL_QUEUE_URL": self.mail_queue_url,
            "MAIL_DLQ_URL": self.mail_dlq_url,
            "SCHEDULER_DLQ_ARN": self.scheduler_dlq_arn,
            "SCHEDULER_ROLE_ARN": self.scheduler_role_arn,
            "SCHEDULE_GROUP_NAME": self.schedule_group,
            "ARTIFACTS_BUCKET": self.artifacts_bucket,
        }


def start_moto_server(port: int) -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def provision(endpoint_url: str | None, region: str, sender: str, schedule_group: str) -> LocalAwsResources:
    """Create the executions and priority queues and their DLQ, the mail queue and its DLQ, the
    scheduler's DLQ, the artifacts bucket, the SES identity and configuration set, and the schedule
    group (idempotent: a second start finds them)."""

    def client(name: str):  # type: ignore[no-untyped-def]
        return boto3.client(name, region_name=region, endpoint_url=endpoint_url)

    sqs = client("sqs")

    def queue_arn(url: str) -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def worker_queue(name: str, dead_letters_url: str) -> str:
        redrive = {"deadLetterTargetArn": queue_arn(dead_letters_url), "maxReceiveCount": MAX_RECEIVE_COUNT}
        attributes = {
            "VisibilityTimeout": str(WORKER_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps(redrive),
        }
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    dlq_url = sqs.create_queue(QueueName=EXECUTIONS_DLQ)["QueueUrl"]
    queue_url = worker_queue(EXECUTIONS_QUEUE, dlq_url)
    priority_queue_url = worker_queue(PRIORITY_QUEUE, dlq_url)
    mail_dlq_url = sqs.create_queue(QueueName=MAIL_DLQ)["QueueUrl"]
    mail_queue_url = worker_queue(MAIL_QUEUE, mail_dlq_url)
    scheduler_dlq_url = sqs.create_queue(QueueName=SCHEDULER_DLQ)["QueueUrl"]
    create_artifacts_bucket(client("s3"), region)

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
        priority_queue_url=priority_queue_url,
        priority_queue_arn=queue_arn(priority_queue_url),
        mail_queue_url=mail_queue_url,
        mail_queue_arn=queue_arn(mail_queue_url),
        mail_dlq_url=mail_dlq_url,
        artifacts_bucket=ARTIFACTS_BUCKET,
        scheduler_dlq_arn=queue_arn(scheduler_dlq_url),
        schedule_group=schedule_group,
        scheduler_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/ainav-scheduler",
    )


def create_artifacts_bucket(s3, region: str) -> None:  # type: ignore[no-untyped-def]
    """The artifacts bucket as template.yaml makes it: private, encrypted, artifacts expiring."""
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if ARTIFACTS_BUCKET not in existing:
        location = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET, **location)
    s3.put_public_access_block(
        Bucket=ARTIFACTS_BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=ARTIFACTS_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=ARTIFACTS_BUCKET,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-artifacts",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "runs/"},
                    "Expiration": {"Days": ARTIFACT_RETENTION_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
