"""External commands (make, sam) and progress lines: run for real, or printed and recorded in a dry run."""

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Protocol, TextIO

from infra.deploy.errors import DeployError

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINTS = {
    "sam": "install the AWS SAM CLI (`pip install aws-sam-cli`, or the installer of "
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html)",
    "make": "install make",
}


class Progress:
    """Numbered step lines and indented details, flushed at once (deploys take minutes)."""

    def __init__(self, stream: TextIO = sys.stdout, prefix: str = "[deploy]") -> None:
        self.stream = stream
        self.prefix = prefix
        self.count = 0

    def step(self, title: str) -> None:
        self.count += 1
        print(f"{self.prefix} {self.count}. {title}", file=self.stream, flush=True)

    def info(self, message: str) -> None:
        print(f"{self.prefix}    {message}", file=self.stream, flush=True)

    def block(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


class Runner(Protocol):
    def require(self, tool: str) -> None: ...

    def run(self, argv: list[str]) -> None: ...


class CommandRunner:
    """Runs each command in the repository root, its output streaming through; a failure stops the deploy."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def require(self, tool: str) -> None:
        if shutil.which(tool) is None:
            raise DeployError(f"`{tool}` is not on PATH: {INSTALL_HINTS.get(tool, f'install {tool}')}")

    def run(self, argv: list[str]) -> None:
        self.progress.info(f"$ {shlex.join(argv)}")
        try:
            completed = subprocess.run(argv, cwd=REPO_ROOT, check=False)
        except FileNotFoundError as exc:
            raise DeployError(f"`{argv[0]}` is not on PATH: {INSTALL_HINTS.get(argv[0], '')}") from exc
        if completed.returncode != 0:
            raise DeployError(
                f"`{shlex.join(argv[:3])} ...` failed with exit code {completed.returncode} "
                "(its output is above)"
            )


class DryRunRunner:
    """Prints each command instead of running it, and keeps them for the caller (and the tests)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.commands: list[list[str]] = []

    def require(self, tool: str) -> None:
        return None

    def run(self, argv: list[str]) -> None:
        self.commands.append(argv)
        self.progress.info(f"$ {shlex.join(argv)}")
