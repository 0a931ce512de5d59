"""What a node sees while it runs: the rendering context and the run's counters."""

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shared.engine.errors import NodeError


@dataclass
class RunContext:
    execution_id: uuid.UUID
    trigger_type: str
    workflow_id: uuid.UUID
    workflow_name: str
    workflow_version: int
    owner_id: uuid.UUID  # who the run's model calls are charged to
    owner_email: Callable[[], str]  # looked up only by the nodes that mail
    llm_model: str
    llm_provider: str | None  # the owner's own key for this provider, instead of the platform's
    system_prompt: str | None
    temperature: float
    input: dict[str, Any]
    deadline: float  # time.monotonic() by which the whole run must end
    outputs: dict[str, Any] = field(default_factory=dict)  # node id → output of nodes that ran
    node_id: str = ""  # the node running now (artifacts record which node made them)
    token_usage: int = 0
    credits_used: Decimal = Decimal(0)
    api_calls: int = 0
    # the owner's secrets (shared.vault.service.RunSecrets: read on first use)
    secrets: Mapping[str, str] = field(default_factory=dict)

    def variables(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "nodes": self.outputs,
            "workflow": {
                "id": str(self.workflow_id),
                "name": self.workflow_name,
                "version": self.workflow_version,
            },
            "execution": {"id": str(self.execution_id), "trigger_type": self.trigger_type},
            "secrets": self.secrets,
        }

    def render(self, source: str, where: str) -> str:
        """Render a node field in the sandbox; an undefined name or an error is a node failure."""
        # Jinja2 (~30 ms) at the first render, not when a function that may run workflows starts
        from jinja2 import TemplateError

        from shared.templating import compiled_template

        try:
            return compiled_template(source).render(**self.variables())
        except TemplateError as exc:
            raise NodeError(f"{where}: {exc.message or type(exc).__name__}") from exc

    def render_map(self, values: dict[str, str], where: str) -> dict[str, str]:
        return {name: self.render(value, f"{where}.{name}") for name, value in values.items()}

    def evaluate(self, expression: str, where: str) -> bool:
        """A condition's truth; an undefined name is a failure, never a silent false."""
        from jinja2 import TemplateError

        from shared.templating import compiled_expression

        try:
            return bool(compiled_expression(expression)(**self.variables()))
        except TemplateError as exc:
            raise NodeError(f"{where}: {exc.message or type(exc).__name__}") from exc

    def remaining_seconds(self) -> float:
        return self.deadline - time.monotonic()
