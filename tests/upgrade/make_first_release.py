"""Builds first_release.sqlite: a database made and filled by the letters service's first release.

The file is kept in the repository (tests/test_upgrade.py upgrades it); this script only
records how it was made. Run it with the first release's code first on the path, from a
checkout of that release (the commit "Letters service, first increment"):

    git archive a8cf5f6 | tar -x -C /tmp/first-release
    PYTHONPATH=/tmp/first-release python tests/upgrade/make_first_release.py \
        /tmp/first-release tests/upgrade/first_release.sqlite
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import tempfile
from pathlib import Path

# Tokens the test signs in with (the release stores only their hashes).
TOKENS = {"Old Staff": "first-release-staff-token-0000000000000000",
          "Old Manager": "first-release-manager-token-00000000000000",
          "Old Admin": "first-release-admin-token-0000000000000000"}
FLAWED = [  # drafts the release's placeholder engine called good; today's rules do not
    ("Dear Sir/Madam\n\nThe case has been dropped. The decision is final.\n\nRegards\n", "sir_madam"),
    ("Dear Ms Okafor\n\nWe have decided to stop the case against the man who hit you.\n", "no_vrr"),
]


def build(release: Path, out: Path) -> None:
    from vcl_qa.letter import Letter
    from vcl_qa.store import bulk, letters, users
    from vcl_qa.store.db import open_db
    from vcl_qa.store.migrate import migrate

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "first.db")
        migrate(db)
        people = {}
        for name, role, team in [("Old Staff", "staff", "north"), ("Old Manager", "manager", None),
                                 ("Old Admin", "admin", None)]:
            user, _ = users.add_user(db, name, role, team)
            db.execute("UPDATE users SET token_hash = ? WHERE id = ?", [users.hash_token(TOKENS[name]), user.id])
            people[name] = user
        staff = people["Old Staff"]
        for path in sorted((release / "sample_letters").glob("*.txt")):
            letter = Letter.from_file(path)
            ctx = letter.context.model_dump(mode="json", exclude_none=True)
            letters.submit(db, staff, letter.text, ctx, team="north", source=path.name,
                           sent_date=letter.context.letter_date.isoformat())
        for text, source in FLAWED:
            ctx = {"decision": "discontinued", "decision_date": "2025-03-03", "victim_category": "standard",
                   "victim_name": "Ms Jane Okafor", "urn": "42AB9999925"}
            out_ = letters.submit(db, staff, text, ctx, team="north", source=source)
        # A second version, a suppression, and the oldest letters purged by the release's purge.
        letters.submit(db, staff, FLAWED[1][0] + "\nYou can ask us to review this decision.\n", {},
                       letter_id=out_["id"])
        letters.suppress(db, staff, out_["id"], "readability.passive", "reads well here")
        bulk.purge(db, 365, today=dt.date(2023, 9, 1))
        db.conn.commit()
        db.close()
        # One self-contained file (no WAL beside it), as compact as the release left it.
        conn = sqlite3.connect(Path(tmp) / "first.db")
        out.unlink(missing_ok=True)
        conn.execute("VACUUM INTO ?", [str(out)])
        conn.close()
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
