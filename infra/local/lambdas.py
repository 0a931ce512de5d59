"""Load a Lambda entry point from its folder the way the Lambda runtime does (`app.handler`)."""

import importlib.util
import sys
from types import ModuleType

from infra.local.options import REPO_ROOT


def load_function(code_uri: str, handler_module: str = "app") -> ModuleType:
    """Import `<code_uri>/<handler_module>.py` under a unique module name."""
    path = REPO_ROOT / code_uri / f"{handler_module}.py"
    module_name = "lambda_" + code_uri.strip("/").replace("/", "_")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no handler module at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class LocalLambdaContext:
    """The parts of a Lambda context that Powertools reads."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:local:123456789012:function:{function_name}"
        self.aws_request_id = "local"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
