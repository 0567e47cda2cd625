"""The store's schema migrations (Alembic): one series of revisions for both backends.

``decarb store migrate`` runs them (:func:`upgrade`); no ``alembic.ini`` is needed, the
configuration is made here. On PostgreSQL they make and bring up to date every table of the
store, the return lines included, and a store refuses a database that is not at the newest
revision (:class:`decarb_dashboard.store.StoreNotMigrated`). On SQLite the first revision is
the catalogue a data directory has always had, made (or brought up from an older version) by
the store itself when it opens the directory and stamped with that revision; any later
revision runs on SQLite through Alembic too, when the store opens the directory.

Revision ids are the files' four-digit prefixes in order (``0001_store.py`` is revision
``0001``, and each revises the one before), so that a store can tell the newest one without
importing Alembic (:func:`head`: an import of Alembic costs a second or two, too much for every
process that opens a data directory); ``tests/test_store_migrations.py`` checks that Alembic agrees.
"""

from __future__ import annotations

from pathlib import Path

VERSIONS = Path(__file__).parent / "versions"
#: The table in which Alembic keeps the revision a database is at (Alembic's default name).
VERSION_TABLE = "alembic_version"
#: The SQLite catalogue's revision when the store makes it itself (see the module's docstring).
SQLITE_BASELINE = "0001"


def head() -> str:
    """Return the newest revision's id."""
    return max(p.name[:4] for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` (``postgresql://...``, ``postgres://...`` or a ``sqlite:///`` path) with SQLAlchemy's
    driver name for psycopg 3, which SQLAlchemy would otherwise not choose for ``postgresql://``."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return url


def alembic_config(url: str):
    """Return the Alembic configuration of the store's migrations for the database at ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = sqlalchemy_url(url)
    return cfg


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str]:
    """Bring the database at ``url`` up to ``revision`` (the newest by default); return (revision before, after)."""
    from alembic import command

    before = current(url)
    command.upgrade(alembic_config(url), revision)
    return before, current(url) or ""


def current(url: str) -> str | None:
    """Return the revision the database at ``url`` is at, or None if it has never been migrated."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(VERSION_TABLE):
                return None
            return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    finally:
        engine.dispose()
