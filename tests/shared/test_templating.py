"""Workflow templates run in an immutable Jinja2 sandbox: no way out to Python internals, no mutation,
no arithmetic that eats the worker."""

import pytest
from jinja2.exceptions import SecurityError

from shared.templating import compiled_expression, compiled_template


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ input.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ input.update({'x': 1}) }}",
    ],
)
def test_templates_cannot_reach_python_internals_or_mutate_their_input(source):
    with pytest.raises(SecurityError):
        compiled_template(source).render(input={"name": "Ada"})


def test_ordinary_templates_and_expressions_work():
    assert compiled_template("Hello {{ input.name }}!").render(input={"name": "Ada"}) == "Hello Ada!"
    assert compiled_expression("input.n > 3")(input={"n": 5}) is True


@pytest.mark.parametrize("source", ["9 ** (9 ** 9)", "'x' * 10 ** 9"])
def test_huge_powers_and_repetitions_are_refused(source):
    with pytest.raises(SecurityError):
        compiled_expression(source)(input={})
