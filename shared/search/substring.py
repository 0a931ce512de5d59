"""Keyword filters from user text: case-insensitive substring matches (ILIKE, which the pg_trgm GIN
indexes serve), with LIKE's wildcards in the text taken literally."""

from sqlalchemy import ColumnElement, or_

LIKE_ESCAPE = "\\"


def like_escaped(text: str) -> str:
    """`text` for a LIKE pattern: its `%`, `_` and backslashes match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_any(text: str, *columns: ColumnElement[str]) -> ColumnElement[bool]:
    """True where any of the columns contains `text`, case-insensitively."""
    pattern = f"%{like_escaped(text)}%"
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))
