"""``decarb store migrate``: make the tables of the store and the accounts, or bring them up to the newest revisions
of the migrations (:mod:`decarb_dashboard.migrations`).

With ``DECARB_DATABASE_URL`` (PostgreSQL), run before the first start and after every upgrade of
decarb-dashboard, once for all servers: the app and every command refuse a database that is not
at the newest revisions. Without it, the data directory's SQLite files (``store.sqlite`` and
``accounts.sqlite``), which the store and the accounts bring up to date themselves whenever they
open them: the command does that now and says the revision of each. Exits 0 when everything is at
the newest revision, 1 when the database could not be reached or migrated, 2 for a
``DECARB_DATABASE_URL`` that is not a PostgreSQL address.
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
        had, has = migrations.upgrade(url)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(say("store_migrate_failed", lang, database=database, detail=detail), file=sys.stderr)
        return 1
    before, after = migrations.describe(had), migrations.describe(has)
    if had == has:
        print(say("store_migrate_nothing", lang, database=database, after=after))
    elif not had:
        print(say("store_migrate_made", lang, database=database, after=after))
    else:
        print(say("store_migrate_done", lang, database=database, before=before, after=after))
    return 0


def _sqlite(data_dir: Path, lang: str) -> int:
    from decarb_dashboard import database
    from decarb_dashboard.accounts import AccountStore
    from decarb_dashboard.store import SubmissionStore

    opens = {"store": lambda: SubmissionStore(data_dir, database_url=""),  # the store first: it checks the
             "accounts": lambda: AccountStore(data_dir, database_url="")}  # directory is one
    for branch, open_it in opens.items():
        path = data_dir / migrations.SQLITE_FILES[branch]
        had: frozenset[str] = frozenset()
        if path.exists():
            with database.connect(path) as db:
                had = migrations.sqlite_revisions(db)
        open_it()  # makes or upgrades the file
        with database.connect(path) as db:
            has = migrations.sqlite_revisions(db)
        key = "store_migrate_nothing" if had == has else "store_migrate_made" if not had else "store_migrate_done"
        print(say(key, lang, database=path, before=migrations.describe(had), after=migrations.describe(has)))
    return 0
