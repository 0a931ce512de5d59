"""The node executor registry: each node type's executor, registered by the module that defines it
(shared.engine.nodes for the built-in types, shared.memory.nodes for the memory nodes, ...).

An executor takes the node's `data`, the run context, the run's session and the seconds it may take,
and returns `(input_logged, output)`."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from shared.engine.context import RunContext

Executor = Callable[[dict[str, Any], RunContext, Session, float], tuple[dict[str, Any], Any]]
EXECUTORS: dict[str, Executor] = {}


def executor(node_type: str) -> Callable[[Executor], Executor]:
    """Register the executor of a node type."""

    def register(function: Executor) -> Executor:
        EXECUTORS[node_type] = function
        return function

    return register
