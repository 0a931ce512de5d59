"""shared.json_schema: the JSON Schema checks every domain uses (workflows, catalog skills, webhooks,
skill nodes)."""

import subprocess
import sys
from pathlib import Path

import pytest

from shared.errors import InvalidInputError
from shared.json_schema import check_instance, check_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


def test_a_valid_schema_passes_and_an_invalid_one_is_422_saying_where():
    check_schema(NAME_SCHEMA)
    with pytest.raises(InvalidInputError) as refused:
        check_schema({"type": "object", "properties": {"name": {"type": "nonsense"}}})
    assert refused.value.message.startswith("input_schema is not a valid JSON Schema at properties/name/type")


@pytest.mark.parametrize(
    ("schema", "says"),
    [
        ({"$ref": "https://example.com/schema.json"}, "only local $ref"),
        ({"$ref": "#/$defs/missing"}, "does not resolve"),
    ],
)
def test_references_must_resolve_inside_the_schema(schema, says):
    with pytest.raises(InvalidInputError) as refused:
        check_schema(schema, label="output_schema")
    assert refused.value.message.startswith("output_schema") and says in refused.value.message


def test_an_instance_is_checked_with_its_label_on_each_problem():
    check_instance(NAME_SCHEMA, {"name": "Ada"})
    with pytest.raises(InvalidInputError) as refused:
        check_instance(NAME_SCHEMA, {"name": 5}, label="params")
    assert refused.value.message == "params.name: 5 is not of type 'string'"


def test_importing_the_checks_does_not_import_jsonschema():
    probe = (
        "import sys\n"
        "import shared.json_schema\n"
        "before = 'jsonschema' in sys.modules\n"
        "shared.json_schema.check_schema({'type': 'object'})\n"
        "print(before, 'jsonschema' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.split() == ["False", "True"]
