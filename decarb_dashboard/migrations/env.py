"""Alembic's environment for the migrations: the database comes from the configuration's attributes
(:func:`decarb_dashboard.migrations.alembic_config`), never from an ``alembic.ini``.

On SQLite every migration run is one transaction begun with BEGIN IMMEDIATE (SQLAlchemy's recipe for
pysqlite, which otherwise begins transactions late), so that the write lock is held from Alembic's
first read of the version table: two processes that open a new data directory at once make its
tables once. ALTERs run in Alembic's batch mode, which copies a table where SQLite cannot alter it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

url = context.config.attributes["url"]
sqlite = url.startswith("sqlite")
connectable = sa.create_engine(url, poolclass=sa.pool.NullPool, **({"connect_args": {"timeout": 60}} if sqlite else {}))
if sqlite:
    @sa.event.listens_for(connectable, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(connectable, "begin")
    def _begin_immediate(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

with connectable.connect() as connection:
    context.configure(connection=connection, transactional_ddl=True, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
