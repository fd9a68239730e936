"""Reading an uploaded letter file (.docx, .txt, .md): the check page's and the API's one way.

A Word file is read in a child process with a time limit (api/memory.py), after the size and
type checks here; what is wrong is said naming the file (field `file`).
"""
from __future__ import annotations

from pathlib import PurePath

from vcl_qa.engine.letter import decode_text, other_format, split_front_matter
from vcl_qa.errors import LetterError

from . import memory

# The most of an uploaded file that is read (a Word letter with pictures is larger than its text).
MAX_UPLOAD = 2 * 1024 * 1024


def sentence(message: str) -> str:
    """A message as the page says it: from a capital, ending with a full stop."""
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def file_message(message: str, name: str) -> str:
    """What the library says of a file it cannot read ("this is a PDF file, which vcl-qa cannot
    read: ..."), as the check page says it: naming the file, in the page's own words (the pages
    are the "Letter checker"), without sending someone to the page they are on."""
    label = f"The file “{name}”" if name else "The file"
    message = (message.replace("which vcl-qa cannot read", "which the letter checker cannot read")
               .replace(", or paste its text into the check page", ", then choose that file"))
    for start in ("this is ", "it is ", "the file is ", "the word file is "):
        if message.lower().startswith(start):
            message = f"{label} is {message[len(start):]}"
            break
    else:
        # "the Word file unpacks to 500 MB ...", "the Word document holds more than 200 KB ..."
        # named no file (a review)
        for start in ("the word file ", "the word document "):
            if message.lower().startswith(start):
                message = f"{label} {message[len(start):]}"
                break
    return sentence(message)


def uploaded_text(upload) -> tuple[str, dict, str | None]:
    """Body and any front-matter fields of an uploaded .docx, .txt or .md file, and for a Word
    file with tracked changes, comments or hidden text, what to do about them. LetterError
    (field "file") naming the file when it is empty, too large, not one the service reads, or
    has no text in it."""
    name = PurePath(upload.filename or "").name
    label = f"The file “{name}”" if name else "The file"
    upload.file.seek(0)
    data = upload.file.read(MAX_UPLOAD + 1)
    if not data:
        raise LetterError(f"{label} is empty: it has nothing in it (0 bytes). Choose the file the "
                          "letter is saved in.", field="file")
    if len(data) > MAX_UPLOAD:
        raise LetterError(f"{label} is over {MAX_UPLOAD // 2**20} MB, the most this service takes. A Word "
                          "letter this large usually has pictures in it: save a copy without them (or "
                          "copy the letter's words into a new Word document) and choose that.", field="file")
    suffix = PurePath(name).suffix.lower()
    try:
        other = other_format(data, suffix)  # a PDF, an old .doc, a protected Word file...
        if other and suffix != ".docx":
            raise LetterError(other)
        if suffix not in (".docx", ".txt", ".md"):
            raise LetterError(f"{label} is not a Word (.docx) or text (.txt) file: choose the letter's "
                              "Word file.")
        if suffix == ".docx":
            text, warning = memory.read_word_file(data, "upload")  # in a child process (api/memory.py)
            meta: dict = {}
        else:
            meta, text = split_front_matter(decode_text(data, "upload"), "upload")
            warning = None
    except LetterError as exc:
        raise LetterError(file_message(exc.message, name), field="file") from None
    if not text.strip():
        raise LetterError(f"{label} has no text in it. Choose the Word file the letter is written in.",
                          field="file")
    return text, meta, warning
