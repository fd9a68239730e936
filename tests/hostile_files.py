"""Small files built to blow up a parser (import from here): YAML alias bombs, Word files that
unpack to millions of paragraphs. Used by tests/test_hostile_input.py and bench/bench_hostile.py."""
from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

BODY = "Dear Ms Okafor\n\nWe have decided to stop the case.\n"


def alias_bomb(levels: int = 8) -> str:
    """Front matter whose `decision` nests aliases `levels` deep: 9**levels strings once expanded,
    from about 500 bytes."""
    parts = ['&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        parts.append(f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "---\ndecision: [" + ", ".join(parts) + "]\n---\n" + BODY


def deep_bomb(depth: int = 5_000) -> str:
    """Front matter nesting lists `depth` deep (PyYAML recurses once a level)."""
    return "---\ndecision: " + "[" * depth + "]" * depth + "\n---\n" + BODY


def long_number_front_matter(digits: int = 5000) -> str:
    """A case reference Python refuses to turn into a number (more than 4,300 digits)."""
    return "---\nurn: " + "7" * digits + "\n---\n" + BODY


def long_value_front_matter(chars: int = 10_000) -> str:
    return "---\ndecision: " + "x" * chars + "\n---\n" + BODY


def _base_docx() -> dict[str, bytes]:
    import docx

    document = docx.Document()
    document.add_paragraph("Dear Ms Okafor")
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return {name: z.read(name) for name in z.namelist()}


def docx_bomb(body_xml: bytes, extra_parts: int = 0, main_part: str = "word/document.xml") -> bytes:
    """A real python-docx document whose body is replaced by `body_xml`; with `main_part`, its
    main part goes by that name (python-docx finds it through the relationships and reads it
    by its content type, whatever it is called)."""
    parts = _base_docx()
    head, rest = parts["word/document.xml"].split(b"<w:body>", 1)
    parts["word/document.xml"] = head + b"<w:body>" + body_xml + rest
    if main_part != "word/document.xml":
        parts[main_part] = parts.pop("word/document.xml")
        rels_dir, base = main_part.rsplit("/", 1)
        parts[f"{rels_dir}/_rels/{base}.rels"] = parts.pop("word/_rels/document.xml.rels")
        for name in ("_rels/.rels", "[Content_Types].xml"):
            parts[name] = parts[name].replace(b"word/document.xml", main_part.encode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        for i in range(extra_parts):
            z.writestr(f"extra/part{i}.xml", b"<a/>")
    return buf.getvalue()


def docx_bombs() -> dict[str, bytes]:
    """name -> .docx bytes; each well under 200 KB packed."""
    return {
        "empty_paragraphs": docx_bomb(b"<w:p/>" * 3_000_000),  # 18 MB unpacked, 3 million paragraphs
        "text_paragraphs": docx_bomb(b"<w:p><w:r><w:t>We have stopped the case.</w:t></w:r></w:p>" * 300_000),
        "empty_runs": docx_bomb(b"<w:p>" + b"<w:r/>" * 3_000_000 + b"</w:p>"),
        "deep_nesting": docx_bomb(b"<w:p>" + b"<w:r>" * 100_000 + b"</w:r>" * 100_000 + b"</w:p>"),
        "over_20_mb": docx_bomb(b"<w:p/>" * 4_000_000),
        "many_parts": docx_bomb(b"", extra_parts=1100),
        # the main part not named .xml (review 10b, finding 3): every limit still applies
        "renamed_main_part": docx_bomb(b"<w:p/>" * 3_000_000, main_part="word/document.dat"),
        "renamed_many_elements": docx_bomb(b"<w:p>" + _mixed(520_000) + b"</w:p>", main_part="word/document.dat"),
        "renamed_long_text": docx_bomb(b"".join(b"<w:p><w:r><w:t>We have stopped case %06d.</w:t></w:r></w:p>" % i
                                                for i in range(20_000)), main_part="word/main"),
        "renamed_deep_nesting": docx_bomb(b"<w:p>" + b"<w:r>" * 1_000 + b"</w:r>" * 1_000 + b"</w:p>",
                                          main_part="word/document.bin"),
    }


def _mixed(count: int) -> bytes:
    """`count` empty elements in an order that does not pack far (about 50 to 1), so that the
    element limit, not the packing ratio, is what refuses them."""
    import random

    rng = random.Random(10)
    return b"".join(rng.choice((b"<w:r/>", b"<w:b/>")) for _ in range(count))


def run_measured(args: list[str], *, env: dict | None = None, cwd: Path | None = None,
                 timeout: float = 120, memory_cap: int = 3 * 2**30) -> tuple[int, str, float, float]:
    """Run a command; returns (exit status, stderr, seconds, peak memory in MB). The child gets
    an address-space cap so that a regression cannot take the machine down with it."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    began = time.monotonic()
    proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=cwd, preexec_fn=cap,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import threading

    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    deadline = began + timeout
    # The child's own high-water mark, read while it runs: its ru_maxrss also counts the memory
    # it had as a fork of this test process before it started the command, so in a long test
    # run (the pytest process past 400 MB) every child seemed to take that much.
    hwm = 0.0
    while True:
        hwm = max(hwm, _high_water_mb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    seconds = time.monotonic() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return proc.returncode, (err[0] if err else b"").decode("utf-8", "replace"), seconds, \
        (hwm or usage.ru_maxrss / 1024)


def _high_water_mb(pid: int) -> float:
    """VmHWM of a running process in MB (0 when it has ended or cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from vcl_qa.cli import main; main()", *args]


def _docx_with_header(body_xml: bytes, header_xml: bytes) -> bytes:
    """A python-docx document with one page header (`header_xml`: the header's paragraphs) and
    `body_xml` before the last section's properties; the header's relationship id is rH1."""
    parts = _base_docx()
    w = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts["word/header1.xml"] = b"<w:hdr " + w + b">" + header_xml + b"</w:hdr>"
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rH1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/header" Target="header1.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/header1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>')
    head, rest = parts["word/document.xml"].split(b"<w:body>", 1)
    last = rest.rindex(b"<w:sectPr")
    parts["word/document.xml"] = head + b"<w:body>" + rest[:last] + body_xml + rest[last:]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _merged_column(rows: int) -> bytes:
    """A one-column table whose cell is merged down `rows` rows (w:vMerge)."""
    first = b'<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr>'
    more = b"<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>"
    return b"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>" + first + more * (rows - 1) + b"</w:tbl>"


def slow_docx_shapes() -> dict[str, bytes]:
    """name -> a small .docx within every size limit, built to take the reader a long time
    (review 10b, finding 4, and shapes found while fixing it). Times before the fix, reading
    only, on a loaded 2-CPU machine: see bench/bench_hostile.py."""
    greeting = b"<w:p><w:r><w:t>Dear Ms Smith</w:t></w:r></w:p>"
    section = b'<w:p><w:pPr><w:sectPr><w:headerReference w:type="default" r:id="rH1"/></w:sectPr></w:pPr></w:p>'
    box = b"<w:p><w:r><w:drawing><w:txbxContent>" + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 50
    return {
        # python-docx's row.cells walked up the merge for every row: 87 s (900 rows)
        "merged_column_900_rows": docx_bomb(greeting + _merged_column(900)),
        # 90 of them in 55 KB: over 2 minutes (about 70 minutes by the review's count)
        "merged_columns_90_tables": docx_bomb(greeting + _merged_column(900) * 90),
        # a cell spanning 2 billion columns, listed once per column: 44 s and 2.7 GB
        "span_2_billion_columns": docx_bomb(greeting + b'<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2000000000"/>'
                                            b"</w:tcPr><w:p/></w:tc></w:tr></w:tbl>"),
        # 1,000 sections sharing a header of 4,000 lines, read once per section: over 100 s
        # (500 sections and 2,000 lines: 19 to 102 s)
        "sections_sharing_a_header": _docx_with_header(greeting + section * 1000,
                                                       b"".join(b"<w:p><w:r><w:t>h%d</w:t></w:r></w:p>" % i
                                                                for i in range(4000))),
        # one header of 20,000 lines, each looked for in a list of those kept: 12 s
        "header_of_20000_lines": _docx_with_header(greeting + section, b"".join(b"<w:p><w:r><w:t>h%d</w:t></w:r></w:p>" % i
                                                                      for i in range(20_000))),
        # 50,000 sections: python-docx's sections[0] looked up again for each: over 60 s
        "sections_50000": docx_bomb(greeting + b"<w:p><w:pPr><w:sectPr/></w:pPr></w:p>" * 50_000),
        # text boxes 40 deep, each read again for every box around it: over 60 s (hours)
        "text_boxes_40_deep": docx_bomb(greeting + box * 40 + b"</w:txbxContent></w:drawing></w:r></w:p>" * 40),
        # a paragraph of 20,000 runs of white text, each asked what lies behind it: the paragraph's
        # properties looked for through all its runs each time (60,000 took 49 s; thirty-fourth session)
        "white_runs_20000": docx_bomb(greeting + b"<w:p>" + b"".join(
            b'<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>%d </w:t></w:r>' % i for i in range(20_000)) + b"</w:p>"),
    }


def _docx_with_lists(body_xml: bytes, numbering_xml: bytes | None = None, styles_xml: bytes = b"") -> bytes:
    """A python-docx document with `body_xml` first in its body, its numbering part's
    definitions replaced by `numbering_xml` (when given) and `styles_xml` added to its styles."""
    parts = _base_docx()
    w = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    if numbering_xml is not None:
        parts["word/numbering.xml"] = b"<w:numbering " + w + b">" + numbering_xml + b"</w:numbering>"
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(b"</w:styles>", styles_xml + b"</w:styles>")
    head, rest = parts["word/document.xml"].split(b"<w:body>", 1)
    parts["word/document.xml"] = head + b"<w:body>" + body_xml + rest
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _list_style(style_id: str, num_id: int | None, level: int | None = None, based_on: str | None = None) -> bytes:
    numbered = b"" if num_id is None else b'<w:pPr><w:numPr>%s<w:numId w:val="%d"/></w:numPr></w:pPr>' % (
        b"" if level is None else b'<w:ilvl w:val="%d"/>' % level, num_id)
    base = b"" if based_on is None else b'<w:basedOn w:val="%s"/>' % based_on.encode()
    return b'<w:style w:type="paragraph" w:styleId="%s"><w:name w:val="%s"/>%s%s</w:style>' % (
        style_id.encode(), style_id.encode(), base, numbered)


def _styled(style_id: bytes, text: bytes = b"") -> bytes:
    run = b"<w:r><w:t>%s</w:t></w:r>" % text if text else b""
    return b'<w:p><w:pPr><w:pStyle w:val="%s"/></w:pPr>%s</w:p>' % (style_id, run)


def numbering_docx_shapes() -> dict[str, bytes]:
    """name -> a small .docx within every size limit whose list numbering (word_lists.py) is
    built to be slow to work out: each paragraph's style, list and level looked up afresh, a
    chain of base styles or of numbering-style links walked for every paragraph, 20,000 lists
    looked through for each. Each starts with "Dear Ms Smith" and one step of a healthy list,
    "1. Step one" (a numbered list the tests read: the numbering is worked out)."""
    import random

    rng = random.Random(10)
    greeting = b"<w:p><w:r><w:t>Dear Ms Smith</w:t></w:r></w:p>" + _styled(b"ListNumber", b"Step one")
    levels = b"".join(b'<w:lvl w:ilvl="%d"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                      b'<w:lvlText w:val="%%1.%%2.%%3.%%4.%%5.%%6.%%7.%%8.%%9."/></w:lvl>' % k for k in range(9))
    bullet = (b'<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
              b'<w:lvlText w:val="' + "\uf0b7".encode() + b'"/></w:lvl></w:abstractNum>')
    healthy = (b'<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
               b'<w:lvlText w:val="%1."/></w:lvl></w:abstractNum>')
    nums = b"".join(b'<w:num w:numId="%d"><w:abstractNumId w:val="%d"/></w:num>' % (i, i % 2)
                    for i in range(10, 20_010))
    five = b'<w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>'  # the style ListNumber's list
    numbered = b'<w:abstractNum w:abstractNumId="0">' + levels + b"</w:abstractNum>" + bullet + healthy + nums + five
    level_styles = b"".join(_list_style(f"L{k}", 20_008, k) for k in range(9))  # 20,008: the 9-level list
    bullet_styles = b"".join(_list_style(f"B{k}", 20_009 - 2 * k) for k in range(9))  # odd ids: bullets
    deep = _list_style("D0", 5) + b"".join(_list_style(f"D{i}", None, based_on=f"D{i - 1}") for i in range(1, 5_000))
    # numbering-style links: definition i is that of the numbering style S{i}, whose list uses definition i + 1
    links = b"".join(b'<w:abstractNum w:abstractNumId="%d"><w:numStyleLink w:val="S%d"/></w:abstractNum>'
                     b'<w:num w:numId="%d"><w:abstractNumId w:val="%d"/></w:num>' % (i, i, i, i)
                     for i in range(100, 2_100))
    link_styles = b"".join(b'<w:style w:type="numbering" w:styleId="S%d"><w:pPr><w:numPr><w:numId w:val="%d"/>'
                           b"</w:numPr></w:pPr></w:style>" % (i, i + 1 if i < 2_099 else 100)
                           for i in range(100, 2_100))
    direct = b'<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr></w:pPr></w:p>'
    return {
        # 100,000 items of one list at random levels, each label "1.1.1.": refused at the text limit
        "numbered_paragraphs_100000": _docx_with_lists(
            greeting + b"".join(_styled(b"L%d" % rng.randrange(9)) for _ in range(100_000)),
            numbered, level_styles),
        # 40,000 bullets, of nine lists named through nine styles: read ("•" each)
        "bullets_40000": _docx_with_lists(
            greeting + b"".join(_styled(b"B%d" % rng.randrange(9)) for _ in range(40_000)), numbered, bullet_styles),
        # 20,000 paragraphs in a style based on a style ... 5,000 deep, the last numbered
        "styles_5000_deep": _docx_with_lists(greeting + _styled(b"D4999") * 20_000, None, deep),
        # 20,000 items of lists whose definitions link on through 2,000 numbering styles, round a loop
        "numbering_links_2000": _docx_with_lists(
            greeting + b"".join(direct % rng.randrange(100, 2_100) for _ in range(20_000)),
            links + healthy + five, link_styles),
    }


def many_relationships(count: int = 100_000) -> bytes:
    """A document whose relationships list `count` links to its styles: python-docx took 5 s
    over 100,000."""
    parts = _base_docx()
    extra = b"".join(b'<Relationship Id="x%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     b'relationships/styles" Target="styles.xml"/>' % i for i in range(count))
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", extra + b"</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def read_docx_command(path: str, starts: str = "") -> list[str]:
    """A child process that only reads a Word file (no scoring): exit 0 read, 2 refused, 3 read
    but its text does not start with `starts`."""
    return [sys.executable, "-c", "import sys\nfrom vcl_qa.engine.letter import docx_text\nfrom vcl_qa.errors "
            "import LetterError\ntry:\n    text = docx_text(open(sys.argv[1], 'rb').read(), sys.argv[1])\n"
            "except LetterError as e:\n    print(e, file=sys.stderr)\n    sys.exit(2)\n"
            "if not text.startswith(sys.argv[2]):\n    print(repr(text[:200]), file=sys.stderr)\n    sys.exit(3)\n",
            path, starts]


def deep_repeated_keys_json(keys: int = 150_000, depth: int = 900) -> bytes:
    """A JSON body nesting objects `depth` deep around one object with `keys` keys each given
    twice (a review's: 3.1 MB with the defaults). Reading it strictly once built the whole path
    of every repeated key: 12.7 s and 2 GB posted to /sign-in."""
    repeated = b"".join(f'"{i}":0,"{i}":0,'.encode() for i in range(keys))
    return b'{"a":' * depth + b"{" + repeated + b'"z":0}' + b"}" * depth
