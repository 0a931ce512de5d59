"""Load Lambda entry points and sample events the way the Lambda runtime does."""

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS_DIR = Path(__file__).parent / "events"


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


def load_function(code_uri: str, handler_module: str = "app") -> ModuleType:
    """Import `<code_uri>/<handler_module>.py` under a unique name, as Lambda imports `app` from CodeUri."""
    path = REPO_ROOT / code_uri / f"{handler_module}.py"
    module_name = "lambda_" + code_uri.strip("/").replace("/", "_")
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None, f"no handler module at {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
