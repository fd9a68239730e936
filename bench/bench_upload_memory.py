"""Benchmark: the server's memory as large Word files are uploaded to the check page.

A Word file within every limit (1.2 MB, 90,000 paragraphs whose XML is mostly attributes, about
200 MB to read) is uploaded to a real `vcl-qa serve` (one worker, fresh database) after a spell of
checks from the API at once (as on a working day): six times one after another, then by eight
signed-in sessions at once, three times over. The form's date is wrong, so each file is read and
nothing is scored. Prints the server's memory (RSS, with its child processes) after each step.

Before uploaded files were read in a child process (api/memory.py), the same steps measured: each
file read one after another left about 190 MB behind for good (351 MB -> 1.46 GB after six), and
a run of these uploads took a server to 4.8 GB; an attacker's review, twenty at once, 195 MB ->
4.1 GB. Asserts nothing (see docs/security.md).

    python bench/bench_upload_memory.py [--rounds 3] [--sessions 8]
"""
from __future__ import annotations

import argparse
import io
import random
import re
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from live_server import LiveServer, make_user  # noqa: E402  (the tests' real-server helper)

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
         'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
         'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
         'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
        'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def word_file(paragraphs: int = 90_000, xml_mb: float = 19.5) -> bytes:
    """Paragraphs of one letter each, padded with attributes (which the element limit does not count)."""
    rnd = random.Random(7)
    pool = [f"{random.Random(i).randrange(16 ** 6):06x}" for i in range(40)]
    per = max(0, (int(xml_mb * 1e6 / paragraphs) - 40) // 24)
    body = "".join("<w:p " + " ".join(f'w:x{j}="{pool[rnd.randrange(40)]}"' for j in range(per))
                   + "><w:r><w:t>a</w:t></w:r></w:p>" for _ in range(paragraphs))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f"<w:document {W}><w:body>{body}</w:body></w:document>")
    return buf.getvalue()


def rss_mb(pid: int) -> float:
    pids = [pid]
    try:
        pids += [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def signed_in(url: str, token: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=url, timeout=300)
    pre = re.search(r'name="pre_token" value="([^"]+)"', c.get("/sign-in").text).group(1)
    assert c.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
    return c, re.search(r'name="csrf_token" value="([^"]+)"', c.get("/check").text).group(1)


def check_many(url: str, token: str, n: int, seed: int) -> None:
    """`n` checks of 100 KB letters of made-up words, one after another."""
    rnd = random.Random(seed)
    ctx = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}
    with httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {token}"}) as c:
        for _ in range(n):
            words = [("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(3, 9))))
                     for _ in range(16_000)]
            c.post("/api/v1/check", json={"text": "Dear Ms Okafor\n\n" + ". ".join(
                " ".join(words[i:i + 15]) for i in range(0, len(words), 15)) + ".", "context": ctx})


def run(data: bytes, rounds: int, sessions: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "vcl_qa.db"
        token = make_user(db, "Uploading Staff", "staff", "north")
        server = LiveServer(db, log=Path(tmp) / "server.log").start()
        try:
            pid = server.proc.pid
            print(f"server started: {rss_mb(pid):.0f} MB")
            burst = [threading.Thread(target=check_many, args=(server.url, token, 3, n)) for n in range(8)]
            for t in burst:
                t.start()
            for t in burst:
                t.join()
            print(f"after 24 checks of 100 KB letters, 8 at once: {rss_mb(pid):.0f} MB")
            clients = [signed_in(server.url, token) for _ in range(sessions)]

            def up(client, csrf, codes):
                r = client.post("/check", data={"csrf_token": csrf, "text": "", "decision_date": "not-a-date"},
                                files={"file": ("letter.docx", data, "application/octet-stream")})
                codes.append(r.status_code)

            after = []
            for _ in range(6):
                started, codes = time.perf_counter(), []
                up(*clients[0], codes)
                after.append(f"{rss_mb(pid):.0f} ({time.perf_counter() - started:.2f} s, {codes[0]})")
            print("after each of six uploads one after another, MB:", ", ".join(after))
            peak, stop = 0.0, threading.Event()

            def watch():
                nonlocal peak
                while not stop.is_set():
                    peak = max(peak, rss_mb(pid))
                    time.sleep(0.05)

            watcher = threading.Thread(target=watch)
            watcher.start()
            started, codes = time.perf_counter(), []
            for _ in range(rounds):
                threads = [threading.Thread(target=up, args=(*c, codes)) for c in clients]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            seconds = time.perf_counter() - started
            time.sleep(1)
            stop.set()
            watcher.join()
            print(f"{len(codes)} uploads, {sessions} at once (answers {sorted(set(codes))}) in {seconds:.1f} s: "
                  f"peak {peak:.0f} MB, after {rss_mb(pid):.0f} MB")
            for c, _ in clients:
                c.close()
        finally:
            server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=8)
    args = ap.parse_args()
    data = word_file()
    print(f"Word file: {len(data) / 1e6:.1f} MB packed; one worker")
    run(data, args.rounds, args.sessions)


if __name__ == "__main__":
    main()
