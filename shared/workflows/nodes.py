"""The `workflow` node of workflow graphs, `{"workflow_id", "input"?: {name: template}}` →
`{"execution_id", "output"}`: another of the owner's workflows, run to its end as a nested execution
(a task's plan uses it for the owner's workflows)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalog.skill_calls import coerce_to_schema
from shared.engine.context import RunContext
from shared.engine.errors import NodeError
from shared.engine.registry import executor
from shared.errors import DomainError
from shared.executions import nested
from shared.json_schema import check_instance
from shared.workflows.models import AgentWorkflow


@executor("workflow")
def run_workflow(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    workflow_id = uuid.UUID(str(data["workflow_id"]))
    schema = session.scalar(
        select(AgentWorkflow.input_schema).where(
            AgentWorkflow.id == workflow_id, AgentWorkflow.user_id == ctx.owner_id
        )
    )
    if schema is None:
        raise NodeError(f"workflow {workflow_id} does not exist or is not the workflow owner's")
    run_input = coerce_to_schema(ctx.render_map(data.get("input") or {}, "data.input"), schema)
    try:
        check_instance(schema, run_input, label="data.input")
        execution = nested.run_workflow(
            session,
            workflow_id=workflow_id,
            owner_id=ctx.owner_id,
            input_data=run_input,
            trigger_type="workflow",
        )
    except DomainError as exc:
        raise NodeError(exc.message) from None
    return {"workflow_id": str(workflow_id), "input": run_input}, {
        "execution_id": str(execution.id),
        "output": execution.output_data,
    }
