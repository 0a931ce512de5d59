"""boto3 clients, created once per container on first use, against AWS or the emulator of AWS_ENDPOINT_URL."""

from functools import cache
from typing import Any

from shared.config import settings


@cache
def client(service_name: str) -> Any:
    import boto3  # imported on first use: functions that never touch AWS don't pay for it

    return boto3.client(service_name, region_name=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL)
