"""Column types and table helpers shared by the models (bot/store/models.py) and the Core statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase


class FreeText(TypeDecorator[str]):
    """A column of text that people typed (names, roles, a territory, an error's words): a longer value is
    cut to the column's size when it is written, on every database alike. PostgreSQL refuses a value
    longer than its VARCHAR (a whole handoff failed on a 300-character role, issue 27); SQLite keeps it."""

    impl = String
    cache_ok = True

    @property
    def length(self) -> int | None:
        impl = self.impl_instance
        return impl.length if isinstance(impl, String) else None

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        length = self.length
        if isinstance(value, str) and length is not None and len(value) > length:
            return value[:length]
        return value


def table(model: type[DeclarativeBase]) -> Table:
    """A model's Table, for pre-built Core statements (the class types `__table__` as any FromClause)."""
    found = model.__table__
    if not isinstance(found, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return found


def text_size(model: type[DeclarativeBase], column: str) -> int:
    """The longest text a column takes (String or FreeText, with a size)."""
    kind = table(model).c[column].type
    length = kind.length if isinstance(kind, String | FreeText) else None
    if length is None:
        raise TypeError(f"{model.__name__}.{column} is not a text column with a size")
    return length
