"""moto's AWS, provisioned as `make dev` provisions it, with the settings pointing at it."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def provisioned_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator["LocalAwsResources"]:  # noqa: F821
    """SQS (executions queue and DLQ), SES v2 (the verified sender) and EventBridge Scheduler."""
    from moto import mock_aws

    from infra.local.aws import provision
    from shared.config import settings

    with mock_aws():
        resources = provision(
            None, os.environ["AWS_REGION"], sender=os.environ["MAIL_FROM_EMAIL"], schedule_group="ainav-test"
        )
        for name, value in resources.as_settings().items():
            monkeypatch.setattr(settings, name, value)
        yield resources


@contextmanager
def served_aws(monkeypatch: pytest.MonkeyPatch, endpoint_url: str) -> Iterator["LocalAwsResources"]:  # noqa: F821
    """The same resources on a moto server reached over HTTP (presigned URLs need a real endpoint),
    emptied first, with the settings pointing at it."""
    import httpx

    from infra.local.aws import provision
    from shared.config import settings

    httpx.post(f"{endpoint_url}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setattr(settings, "AWS_ENDPOINT_URL", endpoint_url)
    resources = provision(
        endpoint_url,
        os.environ["AWS_REGION"],
        sender=os.environ["MAIL_FROM_EMAIL"],
        schedule_group="ainav-test",
    )
    for name, value in resources.as_settings().items():
        monkeypatch.setattr(settings, name, value)
    yield resources
