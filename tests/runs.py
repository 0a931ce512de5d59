"""Runnable executions on the test session: a workflow saved through the service, a pending row, run by
the worker's own function (the `runnable` fixture of tests/conftest.py)."""

from typing import Any

from shared.executions.models import AgentExecution
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.factories import make_user


class Runnable:
    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.user = make_user(db)

    def workflow(self, graph: dict[str, Any], **fields: Any):  # type: ignore[no-untyped-def]
        request = WorkflowCreate(name=fields.pop("name", "Engine test"), graph_json=graph, **fields)
        workflow, _ = workflow_service.create_workflow(session=self.db, user=self.user, request=request)
        return workflow

    def execution(self, workflow, input_data: dict[str, Any] | None = None, **fields: Any) -> AgentExecution:  # type: ignore[no-untyped-def]
        execution = AgentExecution(
            workflow_id=workflow.id,
            user_id=workflow.user_id,
            workflow_version=workflow.version,
            input_data=input_data or {},
            **fields,
        )
        self.db.add(execution)
        self.db.commit()
        return execution

    def run(self, execution: AgentExecution, sleeps: list[float] | None = None) -> AgentExecution:
        from shared.executions.worker import run_execution

        run_execution(
            session=self.db,
            execution_id=execution.id,
            sleep=(sleeps.append if sleeps is not None else lambda s: None),
        )
        self.db.refresh(execution)
        return execution
