"""The column types and helpers every table of the store is built from."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

__all__ = ["JSONValue", "UTCDateTime", "external_id", "foreign_key", "metadata", "primary_id", "timestamp"]


class UTCDateTime(sa.types.TypeDecorator):
    """A UTC timestamp: ``timestamptz`` on PostgreSQL, ISO text on SQLite, aware in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: cxlens stores UTC; attach a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # written by the bulk path, read raw
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSONB on PostgreSQL (indexable, compact); JSON text elsewhere.
JSONValue = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def primary_id() -> sa.Column:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)


def foreign_key(name: str, target: str, nullable: bool = True, ondelete: str | None = None) -> sa.Column:
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete),
        nullable=nullable,
    )


def timestamp(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def external_id() -> sa.Column:
    return sa.Column("external_id", sa.String(200), nullable=True, unique=True)
