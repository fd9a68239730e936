"""How fast `redact` anonymises a letter of about 400 words; prints letters per second."""
from __future__ import annotations

import statistics
import time

from vcl_qa import LetterContext
from vcl_qa.panel.redact import load_rules, redact

HEAD = """Private - to be opened by addressee only

Ms Jane Okafor
Flat 2, Riverside House
14 Larch Road
Leeds
LS1 4AB

19 December 2024

Our reference: 42AB1234524

Dear Ms Okafor

"""
PARAGRAPH = (
    "I am writing to tell you that we have stopped the case against Mark Trent. Mr Trent's "
    "solicitor wrote to us on 12 December, and DC Sarah Hughes of West Yorkshire Police has "
    "told us that the film from the camera was lost. Jane, I know this is hard news, and I am "
    "sorry. You can ask for a review within 10 working days. Victim Support can help on "
    "0808 168 9111, or call me on 0113 245 6789 or email vlu.leeds@cps.gov.uk.\n\n"
)
TAIL = "Yours sincerely\n\nOluwaseun Adeyemi\nVictim Liaison Officer\nCrown Prosecution Service\n"


def letter_of(words: int) -> str:
    body = HEAD
    while len((body + TAIL).split()) < words:
        body += PARAGRAPH
    return body + TAIL


def main() -> None:
    started = time.perf_counter()
    load_rules()
    cold = time.perf_counter() - started
    text = letter_of(400)
    ctx = LetterContext(victim_name="Ms Jane Okafor", urn="42AB1234524")
    redact(text, ctx)
    runs = []
    for _ in range(7):
        n, t0 = 200, time.perf_counter()
        for _ in range(n):
            redact(text, ctx)
        runs.append((time.perf_counter() - t0) / n)
    per = statistics.median(runs)
    print(f"letter: {len(text.split())} words, {len(text)} characters")
    print(f"rules load (once per process): {cold * 1000:.1f} ms")
    print(f"redact: {per * 1000:.2f} ms per letter (median of 7 x 200), {1 / per:.0f} letters/s")


if __name__ == "__main__":
    main()
