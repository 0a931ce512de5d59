"""The one error of the deploy commands: its message says what failed and what to do."""


class DeployError(Exception):
    """A deploy or destroy cannot go on; printed without a traceback."""
