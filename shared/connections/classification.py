"""What kind of column this is, and why — seed 002's rules: an identifier (a key, an `_id`, a code whose
values are all different) is skipped, a value with at most ANALYSIS_CATEGORY_THRESHOLD distinct values is
categorical (every value kept), longer-tailed text is free text (meaning matters: seed 002's `vector`
strategy), numbers and times are kept as such."""

import re
from dataclasses import dataclass

from shared.connections.targets import ColumnInfo

IDENTIFIER_NAME = re.compile(r"(^|_)(id|uuid|guid)$|[a-z0-9]Id$")
CODE_NAME = re.compile(r"(^|_)(sku|code|number|no|num|email|token|hash|slug|reference|ref)$", re.IGNORECASE)
STRATEGY = {"categorical": "categorical", "free_text": "vector"}  # everything else: skip


@dataclass(frozen=True)
class Classification:
    semantic_type: str  # identifier | categorical | free_text | numeric | temporal | other
    indexing_strategy: str  # seed 002: categorical | vector | skip
    reason: str


def _of(semantic_type: str, reason: str) -> Classification:
    return Classification(semantic_type, STRATEGY.get(semantic_type, "skip"), reason)


def classify(column: ColumnInfo, *, threshold: int, row_count: int | None) -> Classification:
    """The column's kind by its keys, name, type and counts, with the rule that decided it."""
    category, distinct = column.type_category, column.distinct_count
    if column.is_primary_key:
        return _of("identifier", "part of the primary key")
    if column.foreign_key_ref:
        return _of("identifier", f"a foreign key to {column.foreign_key_ref}")
    if column.data_type == "uuid":
        return _of("identifier", "a uuid")
    if IDENTIFIER_NAME.search(column.name) and category in ("N", "S"):
        return _of("identifier", "named like an identifier (id, _id, uuid)")
    if category == "B":
        return _of("categorical", "a boolean: two values")
    if category in ("D", "T"):
        return _of("temporal", f"a date/time type ({column.data_type})")
    if category == "E":
        return _of("categorical", f"an enum type ({column.data_type})")
    if category == "N":
        counted = f"; {distinct} distinct values" if distinct is not None else ""
        return _of("numeric", f"a numeric type ({column.data_type}){counted}")
    if category != "S":
        return _of("other", f"a {column.data_type} value: neither text, number nor time")
    if distinct is None:
        return _of("free_text", "text whose distinct values could not be counted")
    if distinct <= threshold:
        return _of("categorical", f"{distinct} distinct values, within the category threshold of {threshold}")
    non_null = None if row_count is None or column.null_count is None else row_count - column.null_count
    if CODE_NAME.search(column.name) and non_null is not None and distinct >= non_null:
        return _of("identifier", f"a code: {distinct} distinct values, one per row")
    return _of("free_text", f"{distinct} distinct values, over the category threshold of {threshold}")
