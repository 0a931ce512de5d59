"""template.yaml and the code agree: every function's handler exists and imports."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lambda_support import load_function

REPO_ROOT = Path(__file__).resolve().parents[1]


class CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


CloudFormationLoader.add_multi_constructor("!", _any_tag)


def load_template() -> dict[str, Any]:
    return yaml.load((REPO_ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506


def functions() -> dict[str, dict[str, Any]]:
    resources = load_template()["Resources"]
    return {
        name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
    }


def test_globals_run_python312_on_arm64_with_tracing():
    function_globals = load_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.12"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Tracing"] == "Active"
    assert function_globals["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "ainav"


def test_the_three_layers_are_declared():
    resources = load_template()["Resources"]
    layers = {name for name, r in resources.items() if r["Type"] == "AWS::Serverless::LayerVersion"}
    assert layers == {"DepsLayer", "CommonLayer", "EmbeddingLayer"}


def test_the_executions_queue_dead_letters_after_five_receives():
    queue = load_template()["Resources"]["ExecutionsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5


@pytest.mark.parametrize("name", sorted(functions()))
def test_every_function_handler_exists_and_imports(name, engine):
    properties = functions()[name]
    module_name, handler_name = properties["Handler"].split(".")
    module = load_function(properties["CodeUri"], module_name)
    assert callable(getattr(module, handler_name))
    # an entry point only: the function's folder holds nothing but its app.py
    folder = REPO_ROOT / properties["CodeUri"]
    assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == [f"{module_name}.py"]
