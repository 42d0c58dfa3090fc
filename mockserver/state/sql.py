"""The connection every store user writes SQL to, whichever database is behind it.

Statements are written once, with `?` placeholders and SQL both SQLite and PostgreSQL
accept. On SQLite the connection is sqlite3's own; on PostgreSQL `PgConnection` wraps a
psycopg 3 connection: `?` becomes `%s`, rows answer by index and by column name (like
`sqlite3.Row`), and integers are sent untyped so that a text column compared with a number
matches as it does under SQLite's type affinity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol


class Row(Protocol):
    """A result row: by position or by column name; `dict(row)` gives the named columns."""

    def keys(self) -> list[str]: ...

    def __getitem__(self, key: int | str, /) -> Any: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """What `Store.transaction()` yields: sqlite3.Connection has exactly this shape."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


class PgRow:
    """A PostgreSQL row shaped like `sqlite3.Row`."""

    __slots__ = ("_columns", "_values")

    def __init__(self, columns: dict[str, int], values: Sequence[Any]) -> None:
        self._columns = columns
        self._values = tuple(values)

    def keys(self) -> list[str]:
        return list(self._columns)

    def __getitem__(self, key: int | str, /) -> Any:
        if isinstance(key, str):
            return self._values[self._columns[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._columns, self._values, strict=True))})"


def pg_row_factory(cursor: Any) -> Any:
    """psycopg row factory: `PgRow`s keyed by the cursor's column names."""
    columns = {column.name: index for index, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(columns, values)

    return make


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s`; `%` outside them doubled. Quoted text is kept."""
    parts = sql.split("'")
    for index in range(0, len(parts), 2):  # even parts lie outside string literals
        parts[index] = parts[index].replace("%", "%%").replace("?", "%s")
    for index in range(1, len(parts), 2):
        parts[index] = parts[index].replace("%", "%%")
    return "'".join(parts)


def _untyped(value: Any) -> Any:
    # psycopg sends str as "unknown", which PostgreSQL casts to the column's type; an int
    # sent that way compares with TEXT and INTEGER columns alike (SQLite's affinity).
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


class PgCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection that speaks the store's `?` SQL (see the module docstring)."""

    def __init__(self, connection: Any) -> None:
        self.raw = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> PgCursor:
        cursor = self.raw.cursor(row_factory=pg_row_factory)
        if parameters:
            cursor.execute(to_pyformat(sql), [_untyped(v) for v in parameters])
        else:
            cursor.execute(sql)  # no parameters: psycopg reads no placeholder
        return PgCursor(cursor)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> PgCursor:
        cursor = self.raw.cursor(row_factory=pg_row_factory)
        rows = [[_untyped(v) for v in row] for row in parameters]
        if rows:
            cursor.executemany(to_pyformat(sql), rows)
        return PgCursor(cursor)
