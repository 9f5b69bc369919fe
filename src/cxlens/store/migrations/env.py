"""Alembic environment: migrations run on the connection the Store hands in."""

from alembic import context

from cxlens.store.schema import metadata

connection = context.config.attributes["connection"]
is_sqlite = connection.dialect.name == "sqlite"
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=is_sqlite,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
