"""The `workflow` node runs another of the owner's workflows to its end, with its input checked against
that workflow's schema; a workflow of someone else's is refused when the graph is saved."""

import pytest

from shared.errors import InvalidInputError
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.factories import make_user
from tests.graphs import NAME_SCHEMA, edge, graph, greeting_graph, node


def caller_of(runnable, workflow_id, **data):  # type: ignore[no-untyped-def]
    return runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("call", "workflow", workflow_id=str(workflow_id), **data),
                node("out", "output", values={"said": "{{ nodes.call.output.greeting }}"}),
            ],
            [edge("in", "call"), edge("call", "out")],
        ),
        name="Caller",
    )


def test_a_workflow_node_runs_the_owners_workflow_as_a_nested_run(runnable):
    greeter = runnable.workflow(greeting_graph(), input_schema=NAME_SCHEMA)
    caller = caller_of(runnable, greeter.id, input={"name": "{{ input.who }}", "n": "7"})
    execution = runnable.run(runnable.execution(caller, {"who": "Ada"}))
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"said": "Hello Ada!"}
    call = next(entry for entry in execution.execution_log if entry["node_id"] == "call")
    assert call["input"] == {"workflow_id": str(greeter.id), "input": {"name": "Ada", "n": 7}}


def test_a_workflow_nodes_input_is_checked_against_the_called_workflows_schema(runnable):
    greeter = runnable.workflow(greeting_graph(), input_schema=NAME_SCHEMA)
    execution = runnable.run(runnable.execution(caller_of(runnable, greeter.id, input={"n": "3"})))
    assert execution.status == "failed"
    assert "data.input" in execution.error_message and "name" in execution.error_message


def test_someone_elses_workflow_is_refused_when_the_graph_is_saved(runnable, db):
    stranger = make_user(db)
    theirs, _ = workflow_service.create_workflow(
        session=db, user=stranger, request=WorkflowCreate(name="Theirs", graph_json=greeting_graph())
    )
    with pytest.raises(InvalidInputError, match="node 'call' \\(workflow\\): no such workflow of yours"):
        caller_of(runnable, theirs.id)
