"""The Jinja2 sandbox that renders workflow node fields (`input`, `nodes`, `workflow`, `execution`)."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_LENGTH = 100_000
COMPILED_CACHE_SIZE = 1024
MAX_EXPONENT = 64
MAX_PRODUCT_LENGTH = 100_000  # characters or items a `*` may produce


class WorkflowSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus caps on `**` and `*`: otherwise `9**(9**9)` or `"a" * 10**9` would
    be folded at compile time (a request that never returns) or exhaust a worker at run time."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            sized, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if (
                isinstance(sized, str | list | tuple)
                and isinstance(count, int)
                and len(sized) * count > MAX_PRODUCT_LENGTH
            ):
                raise SecurityError(f"repetition longer than {MAX_PRODUCT_LENGTH}")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=1)
def sandbox() -> WorkflowSandbox:
    """No attribute access to internals, no mutation of the context, undefined names are errors."""
    return WorkflowSandbox(undefined=StrictUndefined, autoescape=False)


def template_error(source: str) -> str | None:
    """Why `source` is not a valid template, or None if it compiles."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        return f"is longer than {MAX_TEMPLATE_LENGTH} characters"
    try:
        sandbox().from_string(source)  # compiles, so constant expressions are checked too
    except TemplateSyntaxError as exc:
        return f"is not a valid template: {exc.message} (line {exc.lineno})"
    except Exception as exc:  # e.g. a constant that cannot be computed
        return f"is not a valid template: {type(exc).__name__}"
    return None


def expression_error(source: str) -> str | None:
    """Why `source` is not a valid Jinja2 expression, or None if it compiles."""
    if not source.strip():
        return "is empty"
    try:
        compiled_expression(source)
    except TemplateSyntaxError as exc:
        return f"is not a valid expression: {exc.message}"
    except Exception as exc:
        return f"is not a valid expression: {type(exc).__name__}"
    return None


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compiled_template(source: str) -> Template:
    """Compile once per container: a warm worker renders the same node fields again and again."""
    return sandbox().from_string(source)


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compiled_expression(source: str) -> Callable[..., Any]:
    # undefined names are errors in conditions too, not a silent `None` (a false branch)
    return sandbox().compile_expression(source, undefined_to_none=False)
