"""A long letter with thousands of findings: how long "Download with comments" takes and how
large the letter's page is, through a real server.

Each letter is a greeting, N short lines that each have jargon, "please note" and "u" (three
findings a line), and a sign-off: 1,000 lines is 60 KB, 3,300 lines 197 KB (the
200 KB limit). For each letter it prints the time of the plain Word download, the time of the
download with comments and the comments in it, and the page's size in bytes.

    python bench/bench_word_comments.py              # 250, 500, 1000 and 3300 lines
    python bench/bench_word_comments.py 1000 3300    # just these
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import docx  # noqa: E402
import httpx  # noqa: E402

from live_server import LiveServer, auth, make_user, signed_in_client  # noqa: E402

LINE = "Please note u must attend the court in relation to the case."  # 60 characters


def long_letter(lines: int) -> str:
    return "Dear Ms Okafor\n\n" + "\n".join([LINE] * lines) + "\n\nYours sincerely\n\nSam Staff\n"


def main(sizes: list[int]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="vcl-word-"))
    token = make_user(tmp / "vcl_qa.db", "Sam Staff", "staff", "north")
    server = LiveServer(tmp / "vcl_qa.db").start()
    try:
        print(f"{'lines':>6} {'KB':>5} {'findings':>8} {'plain s':>8} {'comments s':>10} {'comments':>8} {'page MB':>8}")
        with signed_in_client(server.url, token) as client:
            client.timeout = 1200
            for n in sizes:
                text = long_letter(n)
                body = {"text": text, "context": {"decision": "discontinued", "decision_date": "2024-12-19",
                                                  "letter_date": "2024-12-20", "victim_category": "enhanced"}}
                r = httpx.post(f"{server.url}/api/v1/letters", json=body, headers=auth(token), timeout=600)
                r.raise_for_status()
                letter_id, found = r.json()["id"], len(r.json()["result"]["findings"])
                client.get(f"/letters/{letter_id}/letter.docx")  # warm up
                t0 = time.perf_counter()
                client.get(f"/letters/{letter_id}/letter.docx").raise_for_status()
                plain = time.perf_counter() - t0
                t0 = time.perf_counter()
                r = client.get(f"/letters/{letter_id}/letter.docx", params={"comments": "true"})
                r.raise_for_status()
                commented = time.perf_counter() - t0
                comments = len(list(docx.Document(io.BytesIO(r.content)).comments))
                page = client.get(f"/letters/{letter_id}")
                page.raise_for_status()
                print(f"{n:>6} {len(text.encode()) / 1024:>5.0f} {found:>8} {plain:>8.2f} {commented:>10.2f} "
                      f"{comments:>8} {len(page.content) / 1e6:>8.2f}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 500, 1000, 3300])
