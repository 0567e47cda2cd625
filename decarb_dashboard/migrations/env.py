"""Alembic's environment for the store's migrations: the database comes from the configuration's attributes
(:func:`decarb_dashboard.migrations.alembic_config`), never from an ``alembic.ini``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

url = context.config.attributes["url"]
connectable = sa.create_engine(url, poolclass=sa.pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
