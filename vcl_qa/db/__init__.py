"""The SQLite store: one file (VCL_QA_DB), WAL mode, migrations registered per area.

Other areas add tables by writing a module with a `migrations = Migrations("area")` set and
listing it in `migrations.MIGRATION_MODULES`.
"""
from .db import db_path, open_db, write_tx
from .migrations import MIGRATION_MODULES, migrate

__all__ = ["db_path", "open_db", "write_tx", "migrate", "MIGRATION_MODULES"]
