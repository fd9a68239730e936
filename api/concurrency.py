"""A fair lock for the threads that serve requests: first come, first served for each user, and
users served in turn, so that one user's stream of long letters cannot hold up everyone else's
checks."""
from __future__ import annotations

import collections
import contextvars
import threading
from collections.abc import Hashable

# Who the request is for: set where the user is known (api/deps.py, api/web/session.py,
# api/routes/check.py) and read by the lock. Requests with no user share one turn.
requester: contextvars.ContextVar[Hashable] = contextvars.ContextVar("requester", default=None)


class FairLock:
    """Like threading.Lock, but waiters get the lock fairly: each user's requests in the order
    they asked, and the users in turn (round robin). A user who has just held the lock goes
    behind every other user waiting, so a small check waits for at most one of another user's
    long letters, however many that user has sent."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._queues: dict[Hashable, collections.deque[threading.Event]] = {}
        self._turns: collections.deque[Hashable] = collections.deque()  # users waiting, in turn
        self._held = False
        self._holder: Hashable = None

    def acquire(self) -> None:
        who = requester.get()
        with self._guard:
            if not self._held:
                self._held, self._holder = True, who
                return
            turn = threading.Event()
            queue = self._queues.get(who)
            if queue is None:
                queue = self._queues[who] = collections.deque()
                self._turns.append(who)
            queue.append(turn)
        turn.wait()  # release() hands the lock straight to us

    def release(self) -> None:
        with self._guard:
            if not self._turns:
                self._held, self._holder = False, None
                return
            # the one who has just held it goes behind everyone else waiting
            if self._holder in self._queues and len(self._turns) > 1:
                self._turns.remove(self._holder)
                self._turns.append(self._holder)
            who = self._turns.popleft()
            queue = self._queues[who]
            turn = queue.popleft()
            if queue:
                self._turns.append(who)
            else:
                del self._queues[who]
            self._holder = who
            turn.set()

    def waiting(self) -> int:
        """Requests waiting for the lock."""
        with self._guard:
            return sum(len(q) for q in self._queues.values())

    def __enter__(self) -> "FairLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
