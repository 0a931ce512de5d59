"""The Jinja2 sandbox that renders workflow node fields (`input`, `nodes`, `workflow`, `execution`)."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_LENGTH = 100_000
COMPILED_CACHE_SIZE = 1024


@lru_cache(maxsize=1)
def sandbox() -> ImmutableSandboxedEnvironment:
    """No attribute access to internals, no mutation of the context, undefined names are errors."""
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def template_error(source: str) -> str | None:
    """Why `source` is not a valid template, or None if it compiles."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        return f"is longer than {MAX_TEMPLATE_LENGTH} characters"
    try:
        sandbox().parse(source)
    except TemplateSyntaxError as exc:
        return f"is not a valid template: {exc.message} (line {exc.lineno})"
    return None


def expression_error(source: str) -> str | None:
    """Why `source` is not a valid Jinja2 expression, or None if it compiles."""
    if not source.strip():
        return "is empty"
    try:
        sandbox().compile_expression(source)
    except TemplateSyntaxError as exc:
        return f"is not a valid expression: {exc.message}"
    return None


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compiled_template(source: str) -> Template:
    """Compile once per container: a warm worker renders the same node fields again and again."""
    return sandbox().from_string(source)


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compiled_expression(source: str) -> Callable[..., Any]:
    return sandbox().compile_expression(source)
