"""boto3 clients, created once per container on first use, against AWS or the emulator of AWS_ENDPOINT_URL."""

from functools import cache
from typing import Any

from shared.config import settings

# Services whose calls our code retries itself (SES throttling: counted, logged, jittered), so boto3
# makes one attempt per call.
OWN_RETRIES = frozenset({"sesv2"})


def build_client(service_name: str, *, region: str, endpoint_url: str | None) -> Any:
    """A new client with this project's configuration of the service."""
    import boto3  # imported on first use: functions that never touch AWS don't pay for it
    from botocore.config import Config

    config = None
    if service_name in OWN_RETRIES:
        config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    elif service_name == "s3":
        config = Config(signature_version="s3v4")  # presigned URLs are SigV4, as S3 requires everywhere
    return boto3.client(service_name, region_name=region, endpoint_url=endpoint_url, config=config)


@cache
def client(service_name: str) -> Any:
    """The container's client of a service."""
    return build_client(service_name, region=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL)


def probe_client(service_name: str) -> Any:
    """A new client that gives up fast (2 s to connect, 3 s to answer, one attempt): for health checks,
    which report a slow dependency instead of waiting for it."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=2, read_timeout=3, retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.client(
        service_name, region_name=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL, config=config
    )
