"""``decarb store migrate``: make the store's tables, or bring them up to the newest revision of its migrations.

With ``DECARB_DATABASE_URL`` (PostgreSQL), run before the first start and after every upgrade of
decarb-dashboard, once for all servers: the app and every command refuse a database that is not
at the newest revision. Without it, the data directory's SQLite catalogue, which the store brings
up to date itself whenever it opens it: the command does that now and says the revision. Exits 0
when the store is at the newest revision, 1 when the database could not be reached or migrated,
2 for a ``DECARB_DATABASE_URL`` that is not a PostgreSQL address.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from decarb_dashboard import config, migrations
from decarb_dashboard.report import say


def run(args: argparse.Namespace) -> int:
    """Migrate the store of ``args`` (``--data-dir``, ``DECARB_DATABASE_URL``) and say what was done."""
    lang = getattr(args, "lang", "en")
    try:
        url = config.database_url()
    except config.ConfigurationError as exc:
        print(say("error", lang, error=str(exc)), file=sys.stderr)
        return 2
    if url is None:
        return _sqlite(Path(args.data_dir) if args.data_dir else config.data_dir(), lang)
    import sqlalchemy.exc

    from decarb_dashboard.store_sql import PostgresCatalogue

    database = PostgresCatalogue(url).describe()
    try:
        before, after = migrations.upgrade(url)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(say("store_migrate_failed", lang, database=database, detail=detail), file=sys.stderr)
        return 1
    if before == after:
        print(say("store_migrate_nothing", lang, database=database, after=after))
    elif before is None:
        print(say("store_migrate_made", lang, database=database, after=after))
    else:
        print(say("store_migrate_done", lang, database=database, before=before, after=after))
    return 0


def _sqlite(data_dir: Path, lang: str) -> int:
    from decarb_dashboard.store import CATALOGUE, SubmissionStore

    catalogue = data_dir / CATALOGUE
    before = migrations.current(f"sqlite:///{catalogue}") if catalogue.exists() else None
    SubmissionStore(data_dir, database_url="")  # makes, stamps or upgrades the catalogue
    after = migrations.current(f"sqlite:///{catalogue}") or ""
    key = "store_migrate_nothing" if before == after else "store_migrate_made" if before is None \
        else "store_migrate_done"
    print(say(key, lang, database=catalogue, before=before, after=after))
    return 0
