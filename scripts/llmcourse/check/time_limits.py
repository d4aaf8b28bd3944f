"""How long one check step and one file's checks may take: a hang becomes a problem."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

#: Seconds one step on one file may take (the repair and conversion scanners on pathological
#: markup) and seconds all the checks of one file may take, before it is reported instead.
STEP_SECONDS = 15.0
FILE_SECONDS = 60.0


class CheckTimeout(Exception):
    """A check step ran past its time limit (see :func:`time_limit`)."""

    def __init__(self, step: str, seconds: float) -> None:
        super().__init__(f"{step} did not finish within {seconds:g} s")
        self.step, self.seconds = step, seconds


@contextlib.contextmanager
def time_limit(seconds: float, step: str) -> Iterator[None]:
    """Raise :class:`CheckTimeout` in the block after ``seconds`` (main thread, POSIX only).

    Nested limits keep the outer one: the inner limit is the shorter of the two.
    """
    main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not main:
        yield
        return
    start = time.monotonic()
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # the enclosing limit comes first
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise CheckTimeout(step, seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
