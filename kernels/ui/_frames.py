"""Tabular data as users pass it: row dicts, a dict of columns, pandas or polars DataFrames.

:class:`Frame` reads any of them the same way (column names, column values,
JSON-safe rows for a spec) and takes subsets in the input's own type, so a
table's selection of a DataFrame is a DataFrame. pandas and polars are never
imported here: a DataFrame is recognised only when its library is already in
``sys.modules`` (the user imported it), so the runtime stays pure standard
library.
"""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import Any

MAX_ROWS = 10_000  # rows of data a spec carries by default


def is_missing(value: Any) -> bool:
    """None, NaN, pandas' NaT and NA, polars' null (already None)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str | int | bool):
        return False
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return type(value).__name__ in ("NAType", "NaTType")


def json_value(value: Any) -> Any:
    """A JSON-safe version of one cell: numbers, text, booleans, ISO dates, or None."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if is_missing(value):
        return None
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and type(value).__module__ == "numpy":
        try:
            plain = item()
        except (TypeError, ValueError):
            plain = None
        if plain is not None and type(plain) is not type(value):
            return json_value(plain)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return json_value(float(value))
    return str(value)


def value_type(values: Sequence[Any]) -> str:
    """The kind of a column for the front end (sorting, alignment, filter inputs)."""
    for value in values:
        if is_missing(value):
            continue
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return "boolean"
        if isinstance(value, numbers.Number):
            return "number"
        if isinstance(value, datetime.datetime):
            return "datetime"
        if isinstance(value, datetime.date):
            return "date"
        if isinstance(value, str):
            return "string"
        return "other"
    return "other"


def _dataframe_kind(data: Any) -> str | None:
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return "pandas"
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(data, polars.DataFrame):
        return "polars"
    return None


class Frame:
    """A read view of tabular data that keeps the original to return subsets of its type."""

    def __init__(self, data: Any, kind_name: str) -> None:
        self.data = data
        kind = _dataframe_kind(data)
        if kind is not None:
            self.kind = kind
            keys = list(data.columns)
            self.n_rows = len(data)
        elif isinstance(data, Mapping):
            self.kind = "columns"
            keys = list(data)
            self._columns = []
            for key in keys:
                column = data[key]
                if isinstance(column, str | bytes) or not isinstance(column, Sequence | range):
                    try:
                        column = list(column)
                    except TypeError:
                        raise TypeError(
                            f"{kind_name}: column {key!r} is {type(column).__name__}, "
                            "not a list of values"
                        ) from None
                self._columns.append(list(column))
            lengths = {len(c) for c in self._columns}
            if len(lengths) > 1:
                sizes = ", ".join(
                    f"{k!r}: {len(c)}" for k, c in zip(keys, self._columns, strict=True)
                )
                raise ValueError(f"{kind_name}: the columns have different lengths ({sizes})")
            self.n_rows = lengths.pop() if lengths else 0
        elif isinstance(data, list | tuple) and all(isinstance(row, Mapping) for row in data):
            self.kind = "rows"
            self._rows = list(data)
            seen: dict[Any, None] = {}
            for row in self._rows:
                for key in row:
                    seen.setdefault(key, None)
            keys = list(seen)
            self.n_rows = len(self._rows)
        else:
            raise TypeError(
                f"{kind_name}: give a list of row dicts, a dict of columns, or a pandas or "
                f"polars DataFrame, not {type(data).__name__}"
            )
        self.keys = keys
        self.names = [key if isinstance(key, str) else str(key) for key in keys]
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"{kind_name}: column names must differ as text: {self.names}")

    def position(self, name: str) -> int | None:
        try:
            return self.names.index(name)
        except ValueError:
            return None

    def column(self, position: int, limit: int | None = None) -> list[Any]:
        """A column's values (the first ``limit`` rows, or all) as Python objects."""
        if self.kind == "pandas":
            series = self.data.iloc[:limit, position] if limit is not None else \
                self.data.iloc[:, position]
            return list(series.tolist())
        if self.kind == "polars":
            frame = self.data.head(limit) if limit is not None else self.data
            return list(frame.to_series(position).to_list())
        if self.kind == "columns":
            values = self._columns[position]
            return values[:limit] if limit is not None else values
        key = self.keys[position]
        rows = self._rows[:limit] if limit is not None else self._rows
        return [row.get(key) for row in rows]

    def preview(self, limit: int) -> tuple[list[dict[str, str]], list[list[Any]]]:
        """(columns as {"name", "type"}, the first ``limit`` rows as JSON-safe lists)."""
        columns = [self.column(i, limit) for i in range(len(self.keys))]
        described = [
            {"name": name, "type": value_type(values)}
            for name, values in zip(self.names, columns, strict=True)
        ]
        count = min(limit, self.n_rows)
        rows = [[json_value(values[r]) for values in columns] for r in range(count)]
        return described, rows

    def take(self, indices: list[int], positions: list[int] | None = None) -> Any:
        """These rows (and columns, by position), in the input's own type."""
        if self.kind == "pandas":
            if positions is None:
                return self.data.iloc[indices]
            return self.data.iloc[indices, positions]
        if self.kind == "polars":
            frame = self.data[indices] if indices else self.data.head(0)
            if positions is not None:
                frame = frame.select([self.data.columns[p] for p in positions])
            return frame
        keys = self.keys if positions is None else [self.keys[p] for p in positions]
        if self.kind == "columns":
            by_key = dict(zip(self.keys, self._columns, strict=True))
            return {key: [by_key[key][i] for i in indices] for key in keys}
        if positions is None:
            return [self._rows[i] for i in indices]
        return [{key: self._rows[i].get(key) for key in keys} for i in indices]
