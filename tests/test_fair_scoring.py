"""One scoring slot per server process, shared fairly: each user's requests in the order they
came, users in turn. One user's stream of long letters must not hold up another user's check
(a reviewer measured a small check waiting 22 s behind eight long ones)."""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from api.concurrency import FairLock, requester
from live_server import LiveServer, auth, make_user, sample_payloads


def _run_as(lock: FairLock, who, name: str, order: list, hold: threading.Event | None = None):
    def work():
        requester.set(who)
        with lock:
            order.append(name)
            if hold is not None:
                hold.wait(10)
    t = threading.Thread(target=work)
    t.start()
    return t


def _until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_users_take_turns_and_each_users_requests_keep_their_order():
    lock, order = FairLock(), []
    gate = threading.Event()
    threads = [_run_as(lock, "ann", "ann-1", order, gate)]
    _until(lambda: order == ["ann-1"])
    for i in range(2, 6):  # Ann sends four more while her first is being scored
        threads.append(_run_as(lock, "ann", f"ann-{i}", order))
        _until(lambda i=i: lock.waiting() == i - 1)
    threads.append(_run_as(lock, "bob", "bob-1", order))
    _until(lambda: lock.waiting() == 5)
    threads.append(_run_as(lock, "cy", "cy-1", order))
    _until(lambda: lock.waiting() == 6)
    threads.append(_run_as(lock, "bob", "bob-2", order))
    _until(lambda: lock.waiting() == 7)
    gate.set()
    for t in threads:
        t.join(10)
    # Bob and Cy go before Ann's second (she has just been served); then in turn
    assert order == ["ann-1", "bob-1", "cy-1", "ann-2", "bob-2", "ann-3", "ann-4", "ann-5"]
    assert lock.waiting() == 0


def test_one_user_alone_is_first_come_first_served():
    lock, order = FairLock(), []
    gate = threading.Event()
    threads = [_run_as(lock, 7, "1", order, gate)]
    _until(lambda: order == ["1"])
    for i in range(2, 7):
        threads.append(_run_as(lock, 7, str(i), order))
        _until(lambda i=i: lock.waiting() == i - 1)
    gate.set()
    for t in threads:
        t.join(10)
    assert order == ["1", "2", "3", "4", "5", "6"]


def test_the_lock_is_free_again_after_an_error():
    lock = FairLock()
    with pytest.raises(ValueError):
        with lock:
            raise ValueError("scoring failed")
    assert lock.waiting() == 0
    with lock:  # not held: would hang otherwise
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("fair") / "vcl_qa.db"
    live = LiveServer(db).start()
    live.tokens = {name: make_user(db, name, "staff", "north") for name in ("Ann Long", "Bob Short")}
    yield live
    live.stop()


def test_a_short_check_is_not_held_up_by_another_users_long_letters(server):
    """Ann sends six long letters to check at once; Bob's short check, sent just after, is
    answered before most of hers (first come, first served would answer it last): at most two
    of hers (the ones being scored when his came) finish after his was sent and before it."""
    # Six different long letters: the engine keeps what each paragraph gave, so the same long
    # letter sent six times costs the time of one (10 ms after the first), and would all be done
    # before Bob's check is sent. Each of these (1,800 paragraphs, near the 200 KB limit) takes
    # one to two seconds (1,200 paragraphs took about a second until the engine got faster, and
    # then three were done before Bob's was sent).
    first = sample_payloads()[0]

    def long_body(n: int) -> dict:
        return {**first, "text": first["text"] + "\n\n" + "\n\n".join(
            f"Paragraph {i} of letter {n}. We looked at the film from the shop and spoke to the two "
            "witnesses again." for i in range(1800))}

    short_body = sample_payloads()[1]
    done: list[str] = []
    lock = threading.Lock()

    def post(name: str, body: dict):
        r = httpx.post(f"{server.url}/api/v1/check", json=body,
                       headers=auth(server.tokens["Ann Long" if name.startswith("ann") else "Bob Short"]), timeout=300)
        assert r.status_code == 200, r.text[:300]
        with lock:
            done.append(name)

    anns = [threading.Thread(target=post, args=(f"ann-{i}", long_body(i))) for i in range(6)]
    for t in anns:
        t.start()
    # All six are in before Bob's (a few milliseconds each, on this machine); not a whole second,
    # in which a quick spell of the machine finished four of them (each is near the 200 KB limit,
    # so they cannot be made longer).
    time.sleep(0.3)
    with lock:
        before = len(done)  # Ann's letters already answered when Bob's is sent
    bob = threading.Thread(target=post, args=("bob", short_body))
    bob.start()
    for t in [*anns, bob]:
        t.join(300)
    assert sorted(done) == sorted([f"ann-{i}" for i in range(6)] + ["bob"])
    assert before <= 2, f"{before} of Ann's long letters were done before Bob's was sent: make them longer"
    assert done.index("bob") <= before + 2, done
