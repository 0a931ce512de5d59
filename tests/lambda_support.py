"""Load Lambda entry points and sample events the way the Lambda runtime does."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.lambdas import load_function

EVENTS_DIR = Path(__file__).parent / "events"

__all__ = ["EVENTS_DIR", "FakeLambdaContext", "load_event", "load_function"]


@dataclass
class FakeLambdaContext:
    function_name: str = "ainav-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:ainav-test"
    aws_request_id: str = "8c7e1b7e-5d6a-4f3b-9a51-2f0f5c9d1e11"
    log_group_name: str = "/aws/lambda/ainav-test"
    log_stream_name: str = "2026/11/22/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))
