"""A fair lock for the threads that serve requests: first come, first served for each user, and
users served in turn, so that one user's stream of long letters cannot hold up everyone else's
checks; and a limit on how many of one user's requests may wait for it, so that one user's
requests in flight cannot take every thread the server has."""
from __future__ import annotations

import collections
import contextvars
import threading
from collections.abc import Hashable

from vcl_qa import config

# Who the request is for: set where the user is known (api/deps.py, api/web/session.py,
# api/routes/check.py) and read by the lock. Requests with no user share one turn.
requester: contextvars.ContextVar[Hashable] = contextvars.ContextVar("requester", default=None)
# Whether this request has held the slot already: a request that takes it a second time (mark
# sent, then read the letter back) is never refused then, since its work is done and saved (a
# review: "nothing was done" answered after the letter had been marked sent).
_served: contextvars.ContextVar[bool] = contextvars.ContextVar("served", default=False)


class TooManyWaiting(Exception):
    """This user already has `most` requests waiting for the scoring slot: this one is refused
    at once (nothing done, nothing stored), to be sent again when one of them is answered."""

    def __init__(self, most: int):
        super().__init__(most)
        self.most = most


class FairLock:
    """Like threading.Lock, but waiters get the lock fairly: each user's requests in the order
    they asked, and the users in turn (round robin). A user who has just held the lock goes
    behind every other user waiting, so a small check waits for at most one of another user's
    long letters, however many that user has sent.

    Each waiting request holds one of the server's threads (anyio's 40 a process), which every
    other request needs as well, however small (an attacker's review: 50 long checks kept in
    flight by one user made another's `GET /me` wait 18 s). So at most `most_waiting` of one
    user's requests wait at once; one more raises TooManyWaiting at once, freeing its thread
    (answered 429 with Retry-After). Requests with no user are not limited."""

    def __init__(self, most_waiting: int | None = None) -> None:
        self.most_waiting = config.most_waiting_per_user() if most_waiting is None else most_waiting
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
                _served.set(True)
                return
            queue = self._queues.get(who)
            if (who is not None and queue is not None and len(queue) >= self.most_waiting
                    and not _served.get()):
                raise TooManyWaiting(self.most_waiting)
            turn = threading.Event()
            if queue is None:
                queue = self._queues[who] = collections.deque()
                self._turns.append(who)
            queue.append(turn)
        turn.wait()  # release() hands the lock straight to us
        _served.set(True)

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


RETRY_AFTER_SECONDS = 2


def too_many_words(most: int) -> str:
    return (f"you already have {most} letter{'' if most == 1 else 's'} waiting to be checked, the most one person "
            "may have waiting at once; nothing was done with this one. Send it again when one of them has been "
            "answered (in a few seconds: the Retry-After header says when)")


async def _too_many(request, exc: TooManyWaiting):
    from .errors import error_response

    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.url.path.startswith("/api/"):
        return error_response(429, "too_many_waiting", too_many_words(exc.most), headers=headers)
    from .web.session import render

    response = render(request, "error.html", {
        "heading": "You have several letters waiting to be checked",
        "message": (f"You already have {exc.most} letter{'' if exc.most == 1 else 's'} waiting to be checked, "
                    "the most one person may have waiting at once, so nothing was done with this one. Wait a "
                    "few seconds for the others, then go back and try again.")}, 429)
    response.headers.update(headers)
    return response


def install(app) -> None:
    app.add_exception_handler(TooManyWaiting, _too_many)
