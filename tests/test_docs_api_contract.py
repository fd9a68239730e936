"""The API's documents say what the code does (an integrator's review, item 6).

README's "The contract" listed 26 rule ids while the engine emits 35: tests/test_docs.py looked
for each id anywhere in the README, and the missing nine were named elsewhere in it (the guide's
and the rules' sections), so it passed. Here the contract's own list is read. docs/api.md had no
list of the words `decision`, `offence`, `victim_category` and `reader` take, sent readers to
`/docs` (404 unless VCL_QA_API_DOCS=1), put the 200 KB text limit under 413 (a text over it is a
422 on `text`), said forty 200 KB versions fit in 8,000,000 bytes (39 do), and did not say how to
clear a detail in a new version, or where decisions.N counts from. Claims about the running
service are checked on the real server.
"""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from api.routes.letters import VERSION_TEXT_BYTES
from live_server import LiveServer, auth, make_user
from vcl_qa.config import MAX_LETTER_BYTES
from vcl_qa.engine.letter import Decision, Offence, Reader, VictimCategory
from vcl_qa.engine.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
API_DOC = (ROOT / "docs" / "api.md").read_text()
TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case. I am sorry for the upset this causes.\n"


def contract_rule_ids() -> list[str]:
    section = README.split("\n## The contract\n", 1)[1].split("\n## ", 1)[0]
    bullet = section.split("\n- **Rule ids**", 1)[1].split("\n- **", 1)[0]
    return [r for r in re.findall(r"`([a-z_]+\.[a-z_]+)`", bullet) if r != "dimension.name"]


def test_the_contract_lists_every_rule_id_the_engine_emits():
    listed = contract_rule_ids()
    emitted = [r.id for r in load_rules().rules]
    assert len(emitted) >= 35
    assert [r for r in emitted if r not in listed] == []  # missing from the contract
    assert [r for r in listed if r not in emitted] == []  # listed, but no such rule
    assert len(listed) == len(set(listed))


def allowed_words(field: str) -> list[str]:
    block = API_DOC.split("The details that take one of a set of words", 1)[1].split("\n\n", 2)[1]
    item = re.search(rf"^- `{field}`: (.*?)(?=^- |\Z)", block, re.M | re.S)
    assert item, f"docs/api.md lists no words for {field}"
    return re.findall(r"`([a-z_]+)`", item.group(1))


@pytest.mark.parametrize("field, enum", [("decision", Decision), ("victim_category", VictimCategory),
                                         ("offence", Offence), ("reader", Reader)])
def test_the_api_doc_lists_the_words_each_detail_takes(field, enum):
    assert allowed_words(field) == [e.value for e in enum]


def test_the_versions_that_fit_are_counted_right():
    said = re.search(r"(\d+) versions of a 200 KB letter, ([\d,]+) bytes each, fit", API_DOC)
    assert said, "docs/api.md no longer says how many versions fit"
    assert int(said.group(2).replace(",", "")) == MAX_LETTER_BYTES
    assert int(said.group(1)) == VERSION_TEXT_BYTES // MAX_LETTER_BYTES == 39
    assert "forty versions" not in API_DOC.lower()


def test_the_errors_table_puts_the_text_limit_under_422():
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (\d{3}) \| .*$", API_DOC, re.M)}
    assert "letter text itself: 200 KB" not in rows["413"]
    assert "over 200 KB" in rows["422"] and "`text`" in rows["422"]


def test_the_first_paragraph_sends_readers_to_what_is_served():
    first = API_DOC.split("\n\n", 2)[1]
    assert "`/openapi.json`" in first and "VCL_QA_API_DOCS=1" in first
    assert "OpenAPI page the server serves at `/docs`" not in first


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("docs_contract") / "vcl_qa.db", env={"VCL_QA_API_DOCS": ""}).start()
    srv.token = make_user(srv.db, "north-staff", "staff", "north")
    yield srv
    srv.stop()


def test_openapi_is_at_the_root_and_docs_are_off_by_default(server):
    assert httpx.get(f"{server.url}/openapi.json", timeout=30).status_code == 200
    assert httpx.get(f"{server.url}/api/v1/openapi.json", timeout=30).status_code == 404
    assert httpx.get(f"{server.url}/docs", timeout=30).status_code == 404
    assert httpx.get(f"{server.url}/redoc", timeout=30).status_code == 404


def test_a_text_over_200_kb_in_a_body_under_512_kb_is_a_422_on_text(server):
    text = "Dear Ms Okafor. " * (MAX_LETTER_BYTES // 16 + 100)
    assert MAX_LETTER_BYTES < len(text.encode()) < 512 * 1024
    r = httpx.post(f"{server.url}/api/v1/check", json={"text": text}, headers=auth(server.token), timeout=60)
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["text"]


def test_null_clears_a_detail_in_a_new_version(server):
    assert '`"context": {"offence":\nnull}` stores the new version without an offence' in API_DOC
    api = f"{server.url}/api/v1"
    first = httpx.post(f"{api}/letters", headers=auth(server.token), timeout=60, json={
        "text": TEXT, "context": {"offence": "assault", "reader": "young_person", "victim_name": "Ms Jane Okafor"}})
    assert first.status_code == 201, first.text
    letter_id = first.json()["id"]
    second = httpx.post(f"{api}/letters", headers=auth(server.token), timeout=60, json={
        "letter_id": letter_id, "text": TEXT + "\nYours sincerely\n", "context": {"offence": None, "reader": None}})
    assert second.status_code == 201, second.text
    versions = httpx.get(f"{api}/letters/{letter_id}", headers=auth(server.token), timeout=30).json()["versions"]
    assert versions[0]["context"]["offence"] == "assault"  # the earlier version keeps it
    later = versions[1]["context"]
    assert "offence" not in later and later["reader"] == "adult" and later["victim_name"] == "Ms Jane Okafor"


def test_a_batch_counts_its_decisions_from_0(server):
    assert "`decisions.0` is the first" in API_DOC
    good = {"urn": "11AA0000124", "decision": "discontinued", "decision_date": "2024-12-19",
            "victim_category": "enhanced"}
    r = httpx.post(f"{server.url}/api/v1/decisions", headers=auth(server.token), timeout=30,
                   json={"decisions": [good, {**good, "urn": "11AA0000125", "decision": "dropped"}]})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["decisions.1.decision"]
