"""The API's own cost per letter: CPU time of one submit-and-score request, all threads, against
CPU time of scoring the same letter alone. In one process through the ASGI app (no network),
measured as CPU time, so other work on a shared machine does not blur it.

Target (issue 10): the request adds little to scoring; with 2 workers on 2 cores, at least half
of the CPU goes to scoring. Best of three rounds.

    python bench/bench_api_overhead.py [--letters 60]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=60)
    n = parser.parse_args().letters
    db_path = Path(tempfile.mkdtemp(prefix="vcl-overhead-")) / "bench.db"
    os.environ["VCL_QA_DB"] = str(db_path)
    import httpx

    from api.main import create_app
    from live_server import make_user, sample_payloads
    from vcl_qa import Letter, score_letter

    token = make_user(db_path, "bench", "staff", "north")
    app = create_app(db_path)
    samples = sample_payloads()

    def body(i: int, tag: str) -> dict:
        p = samples[i % len(samples)]
        return {"text": f"{p['text']}\n{tag} {i}.\n", "context": p["context"]}

    async def run() -> tuple[float, float]:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                         headers={"Authorization": f"Bearer {token}"}) as client:
                for i in range(5):  # warm up: the language pipeline, the first connections
                    await client.post("/api/v1/letters", json=body(i, "warm"))
                engine = request = float("inf")
                for rnd in range(3):
                    began = time.process_time()
                    for i in range(n):
                        b = body(i, f"alone {rnd}")
                        score_letter(Letter(text=b["text"], context=b["context"]))
                    engine = min(engine, (time.process_time() - began) / n)
                    began = time.process_time()
                    for i in range(n):
                        r = await client.post("/api/v1/letters", json=body(i, f"request {rnd}"))
                        assert r.status_code == 201, r.text
                    request = min(request, (time.process_time() - began) / n)
                return engine, request

    engine, request = asyncio.run(run())
    print(f"CPU a letter: scoring alone {engine * 1000:.1f} ms, submit-and-score request "
          f"{request * 1000:.1f} ms (the test client's share included)")
    print(f"API's own cost {1000 * (request - engine):.1f} ms a letter: scoring is "
          f"{100 * engine / request:.0f}% of the request's CPU (target: at least 50%)")


if __name__ == "__main__":
    main()
