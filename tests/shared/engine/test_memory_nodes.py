"""memory_write and memory_search inside a run."""

from shared.memory import service as memory_service
from shared.memory.schemas import MemoryCreate
from tests.graphs import edge, graph, node


def test_a_memory_search_node_answers_inside_a_run(runnable, db):
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("recall", "memory_search", query="{{ input.question }}", k=2),
                node("out", "output", values={"answer": "{{ nodes.recall.results[0].content }}"}),
            ],
            [edge("in", "recall"), edge("recall", "out")],
        )
    )
    memory_service.add_memories(
        session=db,
        workflow=workflow,
        items=[
            MemoryCreate(content="The office wifi password is on the fridge."),
            MemoryCreate(content="Lunch is served at noon in the cafeteria."),
        ],
    )
    execution = runnable.run(
        runnable.execution(workflow, {"question": "Where can I find the wifi password?"})
    )
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"answer": "The office wifi password is on the fridge."}


def test_a_memory_write_node_stores_what_a_later_search_finds(runnable, db):
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node(
                    "remember",
                    "memory_write",
                    content="Customer {{ input.name }} prefers {{ input.channel }}.",
                    content_type="fact",
                    meta_data={"source": "run"},
                ),
            ],
            [edge("in", "remember")],
        )
    )
    execution = runnable.run(runnable.execution(workflow, {"name": "Bo", "channel": "WeChat"}))
    assert execution.status == "completed", execution.error_message
    hits = memory_service.search(
        session=db, workflow_id=workflow.id, query="How does Bo like to be contacted?", k=1
    )
    assert hits[0].content == "Customer Bo prefers WeChat." and hits[0].meta_data == {"source": "run"}
