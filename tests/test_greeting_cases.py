"""The greeting check on 122 greetings written by a reader who had not seen its rules (the
thirty-first session's second review), each answer decided before the check was run: "flag" (the
greeting does not greet the victim named in the letter's details) or "ok". Ordinary names, names
from many cultures, names in capitals from case systems, ranks of the armed forces, clergy and
peers, letters after names, two people, "The family of ...", and greetings that must still be
flagged. The ones the check still gets wrong are strict expected failures (a fix updates KNOWN).
Also: no one-click button writes a greeting that is itself flagged, or that drops the surname."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

BODY = ("\n\nI am writing to tell you that we have decided to stop the case against Lee Barker. The only "
        "witness has moved abroad and cannot be traced.\n\nYours sincerely\n\nSam Staff\n")
CASES = [
    ('Ms Jane Okafor', 'Dear Ms Okafor', 'ok'),
    ('Ms Jane Okafor', 'Dear Jane', 'ok'),
    ('Ms Jane Okafor', 'Dear Mrs Okafor', 'flag'),
    ('Ms Jane Okafor', 'Dear Ms Okafur', 'flag'),
    ('Ms Jane Okafor', 'Dear Ms Jane', 'flag'),
    ('Ms Jane Okafor', 'Dear Mr Okafor', 'flag'),
    ('Ms Jane Okafor', 'Dear Sir or Madam', 'flag'),
    ('Mr Tom Hall', 'Dear Mr hall', 'flag'),
    ('Mr Tom Hall', 'Dear Mr Hall', 'ok'),
    ('Mrs Doris Day', 'Dear Mrs Day', 'ok'),
    ('Mr Tom Major', 'Dear Mr Major', 'ok'),
    ('Ms Jane Judge', 'Dear Ms Judge', 'ok'),
    ('Mrs Ann Lord', 'Dear Mrs Lord', 'ok'),
    ('Mr Sam Earl', 'Dear Mr Earl', 'ok'),
    ('Ms Rose Baron', 'Dear Ms Baron', 'ok'),
    ('Mrs Kate General', 'Dear Mrs General', 'ok'),
    ('Mr Luke Father', 'Dear Mr Father', 'ok'),
    ('Ms Amy Lady', 'Dear Ms Lady', 'ok'),
    ('Mr Wei Zhang', 'Dear Mr Zhang', 'ok'),
    ('Mr Gurpreet Singh', 'Dear Mr Singh', 'ok'),
    ('Ms Siobhán Ní Bhriain', 'Dear Ms Ní Bhriain', 'ok'),
    ('Ms Siobhán Ní Bhriain', 'Dear Ms Bhriain', 'flag'),
    ('Mr Dafydd ap Iorwerth', 'Dear Mr ap Iorwerth', 'ok'),
    ('Mr Pieter van der Berg', 'Dear Mr van der Berg', 'ok'),
    ('Ms Anne-Marie de la Cruz', 'Dear Ms Cruz', 'flag'),
    ('Ms María García López', 'Dear Ms García López', 'ok'),
    ('Ms María García López', 'Dear Ms García', 'ok'),
    ('Mrs Ann Ma', 'Dear Mrs Ma', 'ok'),
    ('Mr Jun Ba', 'Dear Mr Ba', 'ok'),
    ('MR MAMADOU BA', 'Dear Mr Ba', 'ok'),
    ('Mrs Mei Ling MA', 'Dear Mrs Ma', 'ok'),
    ('Mrs Mei Ling MA', 'Dear Mrs Mei', 'flag'),
    ('Mr Md Abdul Karim', 'Dear Mr Karim', 'ok'),
    ('Mr Baron Davis', 'Dear Mr Davis', 'ok'),
    ('Baron Davis', 'Dear Mr Davis', 'ok'),
    ('Earl Williams', 'Dear Earl', 'ok'),
    ('Earl Williams', 'Dear Mr Williams', 'ok'),
    ('Gen Tanaka', 'Dear Mr Tanaka', 'ok'),
    ('Pastor Maldonado', 'Dear Mr Maldonado', 'ok'),
    ('Mr Major Taylor', 'Dear Mr Taylor', 'ok'),
    ('Ms Jane OKAFOR', 'Dear Ms Okafor', 'ok'),
    ('OKAFOR, Jane (Ms)', 'Dear Ms Okafor', 'ok'),
    ('OKAFOR, Jane (Ms)', 'Dear Mrs Okafor', 'flag'),
    ("MR DAVID O'NEILL", "Dear Mr O'Neill", 'ok'),
    ('MS ANNE-MARIE DE LA CRUZ', 'Dear Ms de la Cruz', 'ok'),
    ('WARD, John (Lt Col)', 'Dear Colonel Ward', 'ok'),
    ('LT COL JOHN WARD', 'Dear Colonel Ward', 'ok'),
    ('WARD, John, Capt', 'Dear Captain Ward', 'ok'),
    ('Lt Col John Ward', 'Dear Lieutenant Colonel Ward', 'ok'),
    ('Lt Col John Ward', 'Dear Lieutenant Ward', 'flag'),
    ('Maj Gen Ann Smith', 'Dear Major General Smith', 'ok'),
    ('Maj Gen Ann Smith', 'Dear Major Smith', 'flag'),
    ('Capt John Ward', 'Dear Capt Ward', 'ok'),
    ('Capt John Ward', 'Dear Mr Ward', 'flag'),
    ('Capt Tom Major', 'Dear Captain Major', 'ok'),
    ('Sqn Ldr John Ward', 'Dear Squadron Leader Ward', 'ok'),
    ('Sqn Ldr John Ward', 'Dear Sqn Ldr Ward', 'ok'),
    ('Wg Cdr Amy Cole', 'Dear Wing Commander Cole', 'ok'),
    ('Wg Cdr Amy Cole', 'Dear Wg Cdr Cole', 'ok'),
    ('Flt Lt Amy Lee', 'Dear Flight Lieutenant Lee', 'ok'),
    ('Flt Lt Amy Lee', 'Dear Flt Lt Lee', 'ok'),
    ('Cpl Dan Hill', 'Dear Corporal Hill', 'ok'),
    ('Cpl Dan Hill', 'Dear Sergeant Hill', 'flag'),
    ('L/Cpl Dan Hill', 'Dear Lance Corporal Hill', 'ok'),
    ('Brig Sam Bell', 'Dear Brigadier Bell', 'ok'),
    ('Gp Capt John Ward', 'Dear Group Captain Ward', 'ok'),
    ('Lt Ann Cole', 'Dear Lieutenant Cole', 'ok'),
    ('Lt Ann Cole', 'Dear Ms Cole', 'flag'),
    ('Capt John Smith RN', 'Dear Captain Smith', 'ok'),
    ('Rev Peter Hughes', 'Dear Reverend Hughes', 'ok'),
    ('Revd Peter Hughes', 'Dear Revd Hughes', 'ok'),
    ('Rev Dr Ann Hughes', 'Dear Dr Hughes', 'ok'),
    ('Father John Brown', 'Dear Fr Brown', 'ok'),
    ('Fr John Brown', 'Dear Father Smith', 'flag'),
    ('Rabbi David Cohen', 'Dear Rabbi Cohen', 'ok'),
    ('Imam Abdul Rahman', 'Dear Imam Rahman', 'ok'),
    ('Mr Imam Hussain', 'Dear Mr Hussain', 'ok'),
    ('Pastor Grace Adeyemi', 'Dear Pastor Adeyemi', 'ok'),
    ('Revd Canon Ann Hughes', 'Dear Canon Hughes', 'ok'),
    ('Baroness Jane Smith', 'Dear Baroness Smith', 'ok'),
    ('Baroness Jane Smith', 'Dear Mrs Smith', 'flag'),
    ('Baroness Smith of Basildon', 'Dear Lady Smith', 'ok'),
    ('Lord Smith of Finsbury', 'Dear Lord Smith', 'ok'),
    ('Lord Patel', 'Dear Lord Patel', 'ok'),
    ('Viscount Ridley', 'Dear Lord Ridley', 'ok'),
    ('Sir John Smith', 'Dear Sir John', 'ok'),
    ('Sir John Smith', 'Dear Sir Smith', 'flag'),
    ('Dame Judi Dench', 'Dear Dame Judi', 'ok'),
    ('Dame Judi Dench', 'Dear Dame Dench', 'flag'),
    ('Professor Sir Ian Wood', 'Dear Professor Wood', 'ok'),
    ('Ms Jane Smith BSc', 'Dear Ms Smith', 'ok'),
    ('Dr Ann Lee PhD', 'Dear Dr Lee', 'ok'),
    ('Mr Ian Day Esq', 'Dear Mr Day', 'ok'),
    ('John Smith Jr', 'Dear Mr Smith', 'ok'),
    ('Mr Tom Hall OBE', 'Dear Mr Hall', 'ok'),
    ('Ms Jo Bell BA (Hons)', 'Dear Ms Bell', 'ok'),
    ('Ms Jo Bell, BA', 'Dear Ms Bell', 'ok'),
    ('Dr Ann Lee MD', 'Dear Dr Lee', 'ok'),
    ('Dr Ann Lee MD', 'Dear Dr Md', 'flag'),
    ('Ms Kay Roe RN', 'Dear Ms Rn', 'flag'),
    ('Mr John Major MA', 'Dear Mr Major', 'ok'),
    ('Ms Kay Roe RGN', 'Dear Ms Roe', 'ok'),
    ('Mr David Okafor and Mrs Jane Okafor', 'Dear Mr and Mrs Okafor', 'ok'),
    ('Mr D. Okafor, Mrs J. Okafor', 'Dear Mr and Mrs Okafor', 'ok'),
    ('Mr and Mrs Okafor', 'Dear Mr and Mrs Okafor', 'ok'),
    ('Mr and Mrs Okafor', 'Dear Mr and Mrs Okoro', 'flag'),
    ('Mrs Jane Okafor', 'Dear Mr and Mrs Okafor', 'flag'),
    ('The family of Mr Ali Khan', 'Dear Mrs Khan', 'ok'),
    ('The family of Mr Ali Khan', 'Dear Mr Patel', 'flag'),
    ('The family of Mr Ali Khan', 'Dear Khan family', 'ok'),
    ('Mr Earl Jones', 'Dear Earl', 'ok'),
    ('Ms Countess Vaughn', 'Dear Countess', 'ok'),
    ('Mr Major Taylor', 'Dear Major', 'ok'),
    ('Ms Jane Okafor', 'Dear Major Okafor', 'flag'),
    ('Mr Tom Lee MC', 'Dear Mr Mc', 'flag'),
    ('Mr Tom Lee MC', 'Dear Mr Smith', 'flag'),
    ('CAPT JOHN WARD', 'Dear Mr Ward', 'flag'),
    ('Lt Col John Ward', 'Dear Col Ward', 'ok'),
    ('Maj John Smith', 'Dear Major Smith', 'ok'),
    ('Lord Patel', 'Dear Mr Patel', 'flag'),
    ('Mr Mamadou Lamine BA', 'Dear Mr Lamine', 'flag'),
    ('Ms Jane Okafor', 'Dear Okafor', 'flag'),
]
KNOWN = {('Mr Mamadou Lamine BA', 'Dear Mr Lamine'), ('Ms María García López', 'Dear Ms García')}


def _greeting_findings(name: str, greeting: str):
    ctx = LetterContext(decision="discontinued", decision_date=dt.date(2024, 12, 19), letter_date=dt.date(2024, 12, 20),
                        victim_category="standard", bereaved=False, offence="assault", victim_name=name)
    result = score_letter(Letter(text=greeting + "," + BODY, context=ctx))
    return [f for f in result.findings if f.rule == "content.salutation"]


def test_the_cases_are_as_written():
    assert len(CASES) == 122 and len(KNOWN) <= 6
    assert all(want in ("ok", "flag") for _, _, want in CASES)


@pytest.mark.parametrize("name,greeting,want", [
    pytest.param(n, g, w, marks=pytest.mark.xfail(strict=True, reason="the check still gets this one wrong"))
    if (n, g) in KNOWN else (n, g, w) for n, g, w in CASES])
def test_the_greeting_is_judged_as_decided(name, greeting, want):
    assert ("flag" if _greeting_findings(name, greeting) else "ok") == want


@pytest.mark.parametrize("name,greeting", sorted({(n, g) for n, g, w in CASES if w == "flag"}))
def test_a_button_never_writes_a_greeting_the_check_would_flag(name, greeting):
    for f in _greeting_findings(name, greeting):
        for written in f.replacements or []:
            assert not _greeting_findings(name, written.rstrip(",")), (name, greeting, written)
