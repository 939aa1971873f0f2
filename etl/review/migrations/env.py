"""Alembic environment: migrations run programmatically on a connection the store hands over
(etl.review.store), inside the store's own transaction. There is no alembic.ini."""

from alembic import context

from etl.review.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
