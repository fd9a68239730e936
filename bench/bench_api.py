"""API speed: submit-and-score throughput and latency against GET /health, same run.

Starts the real server (uvicorn, 2 workers) on 127.0.0.1 with a fresh database, then drives
it with a lean keep-alive HTTP/1.1 client (asyncio streams, one connection per client) at
concurrency 16. Prints requests per second and latency percentiles for each endpoint.
Targets (issue 10): the submit rate at least the engine's one-core rate (measured in the same
run), submit p99 < 150 ms. (Issue 3's old target, 25% of the health rate, is printed too.)
`bench/bench_api_overhead.py` measures the API's own CPU cost a letter, which load from other
work on a shared machine does not blur.

    python bench/bench_api.py [--requests 2000] [--concurrency 16] [--workers 2]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "VCL_QA_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from vcl_qa.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def request_bytes(method: str, path: str, token: str | None, body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def drive(port: int, make_request, total: int, concurrency: int) -> tuple[float, list[float], dict]:
    counter = iter(range(total))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in counter:
            start = time.perf_counter()
            writer.write(make_request(i))
            status = await read_response(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - began, latencies, statuses


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(name: str, elapsed: float, latencies: list[float], statuses: dict) -> float:
    rate = len(latencies) / elapsed
    ms = [v * 1000 for v in latencies]
    print(f"{name:<22} {rate:8.1f} req/s   p50 {percentile(ms, 50):6.1f} ms   p95 {percentile(ms, 95):6.1f} ms"
          f"   p99 {percentile(ms, 99):6.1f} ms   statuses {statuses}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from vcl_qa import Letter
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user

    tmp = Path(tempfile.mkdtemp(prefix="vcl-bench-"))
    db_file = tmp / "bench.db"
    db = open_db(db_file)
    migrate(db)
    token = add_user(db, "bench", "staff", "north")[1]
    db.close()
    samples = []
    for path in sorted((ROOT / "sample_letters").glob("*.txt")):
        letter = Letter.from_file(path)
        samples.append((letter.text, letter.context.model_dump(mode="json", exclude_none=True)))

    # The ceiling: scoring alone, in this process, one core.
    from vcl_qa import score_letter

    score_letter(Letter(text=samples[0][0]))
    began = time.perf_counter()
    for text, _ in samples * 3:
        score_letter(Letter(text=text))
    engine_ms = (time.perf_counter() - began) * 1000 / (3 * len(samples))

    def submit(i: int) -> bytes:
        text, ctx = samples[i % len(samples)]
        body = json.dumps({"text": f"{text}\nBench letter {i}.\n", "context": ctx}).encode()
        return request_bytes("POST", "/api/v1/letters", token, body)

    health_request = request_bytes("GET", "/api/v1/health", None)
    port = free_port()
    proc = start_server(db_file, port, args.workers)
    try:
        # Warm up: every worker loads the language pipeline on its first letter.
        asyncio.run(drive(port, submit, 4 * args.workers, 2 * args.workers))
        print(f"{args.requests} requests per endpoint, concurrency {args.concurrency}, "
              f"{args.workers} server workers, {os.cpu_count()} CPUs")
        h = report("GET /health", *asyncio.run(drive(port, lambda i: health_request, args.requests,
                                                      args.concurrency)))
        elapsed, lat, statuses = asyncio.run(drive(port, submit, args.requests, args.concurrency))
        s = report("POST /letters (score)", elapsed, lat, statuses)
        p99 = percentile([v * 1000 for v in lat], 99)
        one_core = 1000 / engine_ms
        print(f"submit rate {s:.0f}/s against the engine's one-core rate {one_core:.0f}/s "
              f"({'met' if s >= one_core else 'not met'}); submit p99 {p99:.0f} ms (target < 150 ms: "
              f"{'met' if p99 < 150 else 'not met'}); submit/health {100 * s / h:.1f}%")
        print(f"engine alone: {engine_ms:.1f} ms a letter on one core, so at most "
              f"{1000 / engine_ms * min(args.workers, os.cpu_count() or 1):.0f} letters/s "
              f"with {args.workers} workers before any HTTP or database work")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
