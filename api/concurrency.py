"""A first-come-first-served lock for the threads that serve requests."""
from __future__ import annotations

import collections
import threading


class FifoLock:
    """Like threading.Lock, but waiters get the lock in the order they asked for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._held = False

    def acquire(self) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # release() hands the lock straight to us

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False

    def __enter__(self) -> "FifoLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
