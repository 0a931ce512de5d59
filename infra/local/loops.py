"""Background loops of `make dev`: each runs in a thread until the stack stops.

A loop is a function taking a stop event, registered in `build_loops` of `infra.local.__main__`:
today the mail outbox watcher, the SQS worker loop and the EventBridge Scheduler loop."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("ainav.local")

Loop = Callable[[threading.Event], None]


@dataclass
class LoopRunner:
    loops: dict[str, Loop]
    stop_event: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for name, loop in self.loops.items():
            thread = threading.Thread(target=self._guarded, args=(name, loop), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def _guarded(self, name: str, loop: Loop) -> None:
        try:
            loop(self.stop_event)
        except Exception:
            logger.exception("local loop %s crashed", name)

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
