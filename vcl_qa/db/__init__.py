"""The SQLite store: one file (VCL_QA_DB), WAL mode, migrations registered per area.

Other areas add tables by writing a module with a `migrations = Migrations("area")` set and
listing it in `migrations.migration_sets`.
"""
from vcl_qa.db.connection import db_path, open_db, write_tx
from vcl_qa.db.migrations import migrate, migration_sets

__all__ = ["db_path", "open_db", "write_tx", "migrate", "migration_sets"]
