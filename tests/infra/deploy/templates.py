"""The repository's CloudFormation templates as plain data (short tags such as !Ref read as their value)."""

from pathlib import Path
from typing import Any

import yaml

from tests.test_template import CloudFormationLoader

REPO_ROOT = Path(__file__).resolve().parents[3]


def load(path: str) -> dict[str, Any]:
    return yaml.load((REPO_ROOT / path).read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506
