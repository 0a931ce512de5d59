"""How a node fails: for good, or in a way worth another attempt (timeouts, 429, 5xx)."""


class NodeError(Exception):
    """The node failed; the message is shown in the log and on the execution."""


class RetryableNodeError(NodeError):
    """A timeout, a 429 or a 5xx: the node's retry policy may try again."""


class ExecutionCancelled(Exception):
    """The owner asked to cancel; the engine stops before the next node."""


class ExecutionYielded(Exception):
    """An in-process run reached its hand-over time; the worker goes on from the next node."""


class ExecutionPaused(Exception):
    """The owner asked to pause (a task's run); the engine stops before the next node, which runs on
    resume."""
