"""Uploaded Word files are read in a short-lived child process, so the memory reading takes is
given back to the system when it ends.

A Word file within every limit can take about 200 MB to read (an attacker's review: 1.2 MB packed,
90,000 paragraphs whose XML is mostly attributes). Read in the server's own process, that memory
was not all given back: after a spell of checks from several people at once, each such file read
left about 190 MB behind for good (six read one after another: 351 MB -> 1.46 GB; the review's
sixteen on a two-worker server: 2.7 -> 5.7 GB), held in the XML library's native memory, not in
Python objects, and not released by limiting or trimming glibc's heaps. A child process forked
from a small process made for the purpose (multiprocessing's forkserver, with the Word reader
imported once) reads the file and ends; the server keeps only the text.
(bench/bench_upload_memory.py measures it.)

Where no forkserver can be had (not Linux), the file is read in the server's process as before."""
from __future__ import annotations

import multiprocessing
import sys
from typing import Any

from vcl_qa.errors import LetterError

# Far over the slowest hostile file measured (docs/security.md: under 3 s); the read holds the
# scoring slot, so a file that somehow took longer must not hold everyone's checks for minutes.
READ_SECONDS = 20


def _context():
    if not sys.platform.startswith("linux"):
        return None
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return None
    # the reader and the libraries it reads with, imported once in the forkserver
    ctx.set_forkserver_preload(["vcl_qa.engine.letter", "docx", "lxml.etree"])
    return ctx


_CTX = _context()


def _read_into(data: bytes, source: str, conn) -> None:
    from vcl_qa.engine.letter import read_docx

    try:
        text, warning = read_docx(data, source)
        conn.send(("ok", text, warning))
    except LetterError as exc:
        conn.send(("error", exc.message, exc.field))
    finally:
        conn.close()


def read_word_file(data: bytes, source: str) -> tuple[str, Any]:
    """read_docx(data, source) in a child process: (text, warning), or the LetterError it raised."""
    if _CTX is None:
        from vcl_qa.engine.letter import read_docx

        return read_docx(data, source)
    receive, send = _CTX.Pipe(duplex=False)
    child = _CTX.Process(target=_read_into, args=(data, source, send), name="word-reader", daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(READ_SECONDS):
            child.kill()
            raise LetterError(f"the Word file took more than {READ_SECONDS} seconds to read, so reading it was "
                              "stopped: save it again in Word (or copy the letter's words into a new document) "
                              "and choose that", source=source)
        try:
            answer = receive.recv()
        except EOFError:  # the child ended without an answer (killed, out of memory)
            raise LetterError("the Word file could not be read just now (the server may be short of memory): try "
                              "again in a minute; if it happens again, copy the letter's words into a new Word "
                              "document and choose that", source=source) from None
    finally:
        receive.close()
        child.join(5)
    if answer[0] == "error":
        raise LetterError(answer[1], source=source, field=answer[2])
    return answer[1], answer[2]
