"""Alembic environment: migrations run on the connection the Store hands in."""

from alembic import context

from cxlens.store.schema import metadata

connection = context.config.attributes["connection"]
is_sqlite = connection.dialect.name == "sqlite"
if is_sqlite:
    # Batch mode copies tables; SQLite must not enforce foreign keys while it does.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=is_sqlite,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
