"""The texts written about a table: its purpose guessed from the names and the keys (or a person's
description, which wins), a one-line summary, the document shown to people and models (columns,
relationships, values), the words keyword search matches, and the text that is embedded for retrieval
(the essentials first: the embedding model reads at most its max length)."""

import re
from collections.abc import Sequence

from shared.connections.models import ColumnMetadata, TableInsight

CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
LOG_WORDS = {"log", "logs", "history", "event", "events", "audit", "activity", "changes"}
LINE_WORDS = {"items", "item", "lines", "line", "details", "entries"}
AMOUNT_WORDS = {"amount", "price", "total", "cost", "salary", "revenue", "budget", "fee", "balance", "refund"}
LOOKUP_MAX_ROWS = 50
VALUES_IN_DOCUMENT = 12
VALUES_IN_EMBEDDING = 6


def words(name: str) -> list[str]:
    """`order_items` → order, items; `shippingCountry` → shipping, country."""
    return [part.lower() for part in re.split(r"[_\W]+", CAMEL_BOUNDARY.sub("_", name)) if part]


def phrase(name: str) -> str:
    return " ".join(words(name))


def singular(word: str) -> str:
    for plural, one in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + one
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def singular_phrase(name: str) -> str:
    parts = words(name)
    return " ".join([*parts[:-1], singular(parts[-1])]) if parts else name


def _listing(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def guess_purpose(insight: TableInsight, columns: Sequence[ColumnMetadata]) -> str:
    """What the table probably holds, from its name, keys, relationships and column kinds."""
    name_words = set(words(insight.table_name))
    refs = [singular_phrase(fk["table"]) for fk in insight.foreign_keys if fk.get("table")]
    key_columns = {name for fk in insight.foreign_keys for name in fk["columns"]} | set(insight.primary_key)
    others = [column for column in columns if column.column_name not in key_columns]
    one = singular_phrase(insight.table_name)
    if len(set(refs)) >= 2 and len(others) <= 2 and set(insight.primary_key) <= key_columns:
        sentence = f"links {_listing(refs)}: one row per pair (a many-to-many relationship)"
    elif name_words & LINE_WORDS and refs:
        sentence = f"the {phrase(insight.table_name)} of each {refs[0]}: one row per {one}"
    elif name_words & LOG_WORDS:
        sentence = f"a log of {phrase(insight.table_name)}: one row per event, over time"
    elif (
        insight.referenced_by
        and insight.row_count is not None
        and insight.row_count <= LOOKUP_MAX_ROWS
        and len(columns) <= 4
    ):
        sentence = (
            f"a short list of {phrase(insight.table_name)} ({insight.row_count} rows) other tables refer to"
        )
    else:
        sentence = f"probably one row per {one}"
        if refs:
            sentence += f", each belonging to a {_listing(refs)}"
    details = []
    if any(fk.get("table") == insight.table_name for fk in insight.foreign_keys):
        details.append("a hierarchy: rows point to a parent row of the same table")
    kinds = {column.semantic_type for column in columns}
    if "temporal" in kinds and any(set(words(c.column_name)) & AMOUNT_WORDS for c in columns):
        details.append("amounts over time")
    if insight.referenced_by:
        referrers = [phrase(ref["table"]) for ref in insight.referenced_by]
        details.append(f"referred to by {_listing(referrers)}")
    return "; ".join([sentence, *details])


def _count(value: int | None, noun: str) -> str:
    return f"{value:,} {noun}" if value is not None else f"an unknown number of {noun}"


def summary(insight: TableInsight, columns: Sequence[ColumnMetadata]) -> str:
    about = insight.description or insight.purpose
    size = f"{_count(insight.row_count, 'rows')}, {len(columns)} columns"
    return f"{phrase(insight.table_name).capitalize()}: {about}. {size}."


def _column_line(column: ColumnMetadata) -> str:
    parts = [f"- {column.column_name} {column.data_type}"]
    if column.is_primary_key:
        parts.append("primary key")
    if column.foreign_key_ref:
        parts.append(f"→ {column.foreign_key_ref}")
    parts.append(f"[{column.semantic_type}]")
    if column.categorical_values:
        shown = column.categorical_values[:VALUES_IN_DOCUMENT]
        more = len(column.categorical_values) - len(shown)
        parts.append("values: " + ", ".join(shown) + (f" (+{more} more)" if more > 0 else ""))
    elif column.sample_values and column.semantic_type not in ("identifier",):
        parts.append("e.g. " + ", ".join(column.sample_values[:3]))
    if column.comment:
        parts.append(f"— {column.comment}")
    return " ".join(parts)


def document(insight: TableInsight, columns: Sequence[ColumnMetadata], notes: Sequence[str] = ()) -> str:
    """What people and the model read about the table."""
    lines = [
        f"{insight.table_type.capitalize()} {insight.schema_name}.{insight.table_name}: "
        f"{_count(insight.row_count, 'rows')}.",
        f"Purpose: {insight.description or insight.purpose}.",
    ]
    if insight.comment:
        lines.append(f"Comment: {insight.comment}")
    lines.append("Columns:")
    lines += [_column_line(column) for column in columns]
    relations = [
        f"{insight.table_name}.{', '.join(fk['columns'])} → "
        f"{fk['schema']}.{fk['table']}.{', '.join(fk['ref_columns'])}"
        for fk in insight.foreign_keys
    ] + [
        f"{ref['schema']}.{ref['table']}.{', '.join(ref['columns'])} → {insight.table_name}"
        for ref in insight.referenced_by
    ]
    if relations:
        lines.append("Relationships: " + "; ".join(relations))
    if insight.indexes:
        lines.append(
            "Indexes: "
            + "; ".join(f"{index['name']} ({', '.join(index['columns'])})" for index in insight.indexes)
        )
    lines += [f"Note: {note}" for note in notes]
    return "\n".join(lines)


def search_text(insight: TableInsight, columns: Sequence[ColumnMetadata]) -> str:
    """The names (as written and as words) keyword search matches, lower-cased."""
    names = [insight.table_name, phrase(insight.table_name)]
    for column in columns:
        names += [column.column_name, phrase(column.column_name)]
    extra = [insight.description or "", insight.comment or ""]
    return " ".join(dict.fromkeys(" ".join([*names, *extra]).lower().split()))


def embedding_text(insight: TableInsight, columns: Sequence[ColumnMetadata]) -> str:
    """What is embedded: the table's name and purpose, its columns as words, what it relates to, a few
    values; the essentials first, as the model reads at most its max length."""
    related = [phrase(fk["table"]) for fk in insight.foreign_keys if fk.get("table")]
    related += [phrase(ref["table"]) for ref in insight.referenced_by]
    values = [
        f"{phrase(column.column_name)}: {', '.join(column.categorical_values[:VALUES_IN_EMBEDDING])}"
        for column in columns
        if column.categorical_values and not column.foreign_key_ref
    ]
    parts = [
        f"{phrase(insight.table_name)}: {insight.description or insight.purpose}.",
        insight.comment or "",
        "Columns: " + ", ".join(phrase(column.column_name) for column in columns) + ".",
        f"Related to {_listing(list(dict.fromkeys(related)))}." if related else "",
        "; ".join(values[:4]),
    ]
    return " ".join(part for part in parts if part)
