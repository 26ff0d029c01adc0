"""Elements over tabular data: a table with row selection, and a DataFrame transformer.

Both ship the first ``max_rows`` rows to the front end as JSON (saying in
their props when data was cut off) and page and sort them there. Their
values are computed in Python over all the rows and keep the input's type:
row dicts stay row dicts, a DataFrame stays a DataFrame of the same library.
"""

from __future__ import annotations

import datetime
import html
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from kernels.ui._core import UIElement, UIValueError, checked_argument
from kernels.ui._frames import MAX_ROWS, Frame, is_missing

_SELECTION_MODES = (None, "single", "multi")


def _positive(kind: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{kind}: {name} must be a whole number >= 1, not {value!r}")
    return value


class _Tabular(UIElement[Any]):
    """Data shipped to the front end as a capped, JSON-safe preview."""

    def __init__(
        self, data: Any, *, page_size: int, max_rows: int, label: str,
        on_change: Callable[[Any], object] | None,
    ) -> None:
        self._frame = Frame(data, self.kind)
        self._page_size = _positive(self.kind, "page_size", page_size)
        self._max_rows = _positive(self.kind, "max_rows", max_rows)
        super().__init__(None, label=label, on_change=on_change)

    @property
    def data(self) -> Any:
        """The data given, unchanged."""
        return self._frame.data

    def _props(self) -> dict[str, Any]:
        columns, rows = self._frame.preview(self._max_rows)
        return {
            "columns": columns,
            "rows": rows,
            "total_rows": self._frame.n_rows,
            "truncated": self._frame.n_rows > len(rows),
            "max_rows": self._max_rows,
            "page_size": self._page_size,
        }

    def _static_html(self) -> str:
        """The first rows as an HTML table, for exports."""
        shown = 50
        columns, rows = self._frame.preview(shown)
        head = "".join(f"<th>{html.escape(c['name'])}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
            + "</tr>" for row in rows
        )
        more = self._frame.n_rows - len(rows)
        note = f"<p>… {more} more rows</p>" if more > 0 else ""
        caption = f"<caption>{html.escape(self._label)}</caption>" if self._label else ""
        return (f'<div class="pg-ui pg-ui-{self.kind}"><table>{caption}<thead><tr>{head}</tr>'
                f"</thead><tbody>{body}</tbody></table>{note}</div>")

    def __repr__(self) -> str:
        label = f" {self._label!r}" if self._label else ""
        return f"<{type(self).__name__}{label} {self._frame.n_rows} rows>"


class table(_Tabular):
    """A table with pages, sorting and row selection: ``ui.table(rows, selection="multi")``.

    ``data`` is a list of row dicts, a dict of columns, or a pandas or
    polars DataFrame. ``selection`` is ``"multi"`` (checkboxes), ``"single"``
    or ``None`` (no selection). Its ``value`` is the selected rows in the
    input's type (a list of row dicts, a dict of columns, a DataFrame);
    empty until the user selects. Only the first ``max_rows`` rows are sent
    to the front end. Selecting re-runs the cells that read the variable
    holding it.
    """

    kind = "table"

    def __init__(
        self,
        data: Any,
        *,
        selection: str | None = "multi",
        initial_selection: Sequence[int] = (),
        page_size: int = 10,
        max_rows: int = MAX_ROWS,
        label: str = "",
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        if selection not in _SELECTION_MODES:
            raise ValueError(
                f"table: selection must be None, 'single' or 'multi', not {selection!r}"
            )
        self._selection = selection
        super().__init__(
            data, page_size=page_size, max_rows=max_rows, label=label, on_change=on_change
        )
        self._set(checked_argument(
            "table", self._check, list(initial_selection), "initial_selection: "
        ))

    def _check(self, indices: Any) -> list[int]:
        if not isinstance(indices, list):
            raise UIValueError(f"the value must be a list of row indices, not {indices!r}")
        if indices and self._selection is None:
            raise UIValueError("rows cannot be selected in this table (selection=None)")
        total = self._frame.n_rows
        for index in indices:
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < total:
                raise UIValueError(
                    f"row indices must be whole numbers from 0 to {total - 1}, not {index!r}"
                )
        if len(set(indices)) != len(indices):
            raise UIValueError(f"a row is selected twice in {indices!r}")
        if self._selection == "single" and len(indices) > 1:
            raise UIValueError(f"one row at most may be selected (selection='single'), "
                               f"not {len(indices)}")
        return sorted(indices)

    def _from_wire(self, wire_value: Any) -> list[int]:
        return self._check(wire_value)

    def _set(self, indices: list[int]) -> None:
        self._selected = indices
        self._value = self._frame.take(indices)

    def _to_wire(self) -> list[int]:
        return list(self._selected)

    def _props(self) -> dict[str, Any]:
        return {**super()._props(), "selection": self._selection}


OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "contains", "in")
_EMPTY_TRANSFORM: dict[str, Any] = {"filters": [], "sort": [], "columns": []}


def _coerce(value: Any, sample: Any, where: str) -> Any:
    """A filter's JSON value as the column's type (ISO text to dates, numeric text to numbers)."""
    if value is None or sample is None:
        return value
    if isinstance(sample, bool):
        if isinstance(value, bool):
            return value
        raise UIValueError(f"{where}: expected true or false, not {value!r}")
    if isinstance(sample, numbers.Number):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise UIValueError(f"{where}: expected a number, not {value!r}")
    if isinstance(sample, datetime.datetime):
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise UIValueError(f"{where}: expected an ISO date-time, not {value!r}") from None
        if sample.tzinfo is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=sample.tzinfo)
        return parsed
    if isinstance(sample, datetime.date):
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise UIValueError(f"{where}: expected a date as YYYY-MM-DD, not {value!r}") from None
    if isinstance(sample, str):
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise UIValueError(f"{where}: expected text, not {value!r}")
    return value


def _matches(cell: Any, op: str, target: Any) -> bool:
    if is_missing(cell):
        return (op == "==" and target is None) or (op == "!=" and target is not None)
    if target is None:
        return op == "!="
    try:
        if op == "==":
            return bool(cell == target)
        if op == "!=":
            return bool(cell != target)
        if op == "<":
            return bool(cell < target)
        if op == "<=":
            return bool(cell <= target)
        if op == ">":
            return bool(cell > target)
        if op == ">=":
            return bool(cell >= target)
        if op == "contains":
            return target in str(cell)
        return cell in target  # "in"
    except TypeError:
        return False


class dataframe(_Tabular):
    """Filter, sort and pick columns of data: ``ui.dataframe(df, label="Sales")``.

    ``data`` is a pandas or polars DataFrame (or a list of row dicts, or a
    dict of columns). The user builds a transform in the front end; its
    ``value`` is the result, in the input's own type (the input itself until
    something is chosen). Filters compare a column with ``==``, ``!=``,
    ``<``, ``<=``, ``>``, ``>=``, ``contains`` (text) or ``in`` (a list).
    Changing the transform re-runs the cells that read the variable holding it.
    """

    kind = "dataframe"

    def __init__(
        self,
        data: Any,
        *,
        page_size: int = 10,
        max_rows: int = MAX_ROWS,
        label: str = "",
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        super().__init__(
            data, page_size=page_size, max_rows=max_rows, label=label, on_change=on_change
        )
        self._transform: dict[str, Any] = {key: [] for key in _EMPTY_TRANSFORM}
        self._value = data

    def _column(self, entry: dict[str, Any], where: str) -> int:
        name = entry.get("column")
        position = self._frame.position(name) if isinstance(name, str) else None
        if position is None:
            raise UIValueError(
                f"{where}: there is no column {name!r}; the columns are {self._frame.names}"
            )
        return position

    def _from_wire(self, wire_value: Any) -> tuple[dict[str, Any], Any]:
        if not isinstance(wire_value, dict):
            raise UIValueError(
                'the value must be a transform {"filters": [...], "sort": [...], '
                f'"columns": [...]}}, not {wire_value!r}'
            )
        unknown = set(wire_value) - set(_EMPTY_TRANSFORM)
        if unknown:
            raise UIValueError(
                f"unknown transform fields {sorted(unknown)}: expected filters, sort, columns"
            )
        parts = {}
        for key in _EMPTY_TRANSFORM:
            part = wire_value.get(key) or []
            if not isinstance(part, list):
                raise UIValueError(f'"{key}" must be a list, not {part!r}')
            parts[key] = part
        frame = self._frame
        indices = list(range(frame.n_rows))
        filters = []
        for number, entry in enumerate(parts["filters"]):
            where = f"filter {number}"
            if not isinstance(entry, dict) or set(entry) - {"column", "op", "value"}:
                raise UIValueError(f'{where} must be {{"column", "op", "value"}}, not {entry!r}')
            position = self._column(entry, where)
            op = entry.get("op")
            if op not in OPERATORS:
                raise UIValueError(f"{where}: op must be one of {', '.join(OPERATORS)}, "
                                   f"not {op!r}")
            column = frame.column(position)
            sample = next((v for v in column if not is_missing(v)), None)
            where = f"{where} on {frame.names[position]!r}"
            value = entry.get("value")
            if op == "in":
                if not isinstance(value, list):
                    raise UIValueError(f"{where}: 'in' needs a list of values, not {value!r}")
                target: Any = [_coerce(v, sample, where) for v in value]
            elif op == "contains":
                if not isinstance(value, str):
                    raise UIValueError(f"{where}: 'contains' needs text, not {value!r}")
                target = value
            else:
                target = _coerce(value, sample, where)
            indices = [i for i in indices if _matches(column[i], op, target)]
            filters.append({"column": frame.names[position], "op": op, "value": value})
        sort = []
        keys = []
        for number, entry in enumerate(parts["sort"]):
            where = f"sort {number}"
            if not isinstance(entry, dict) or set(entry) - {"column", "descending"}:
                raise UIValueError(f'{where} must be {{"column", "descending"}}, not {entry!r}')
            position = self._column(entry, where)
            descending = entry.get("descending", False)
            if not isinstance(descending, bool):
                raise UIValueError(f'{where}: "descending" must be true or false')
            keys.append((position, descending))
            sort.append({"column": frame.names[position], "descending": descending})
        for position, descending in reversed(keys):
            indices = self._sorted(indices, frame.column(position), descending)
        positions = []
        for name in parts["columns"]:
            found = frame.position(name) if isinstance(name, str) else None
            if found is None:
                raise UIValueError(
                    f"columns: there is no column {name!r}; the columns are {frame.names}"
                )
            if found in positions:
                raise UIValueError(f"columns: {name!r} is listed twice")
            positions.append(found)
        columns = [frame.names[p] for p in positions]
        transform = {"filters": filters, "sort": sort, "columns": columns}
        if not filters and not sort and not positions:
            return transform, frame.data
        return transform, frame.take(indices, positions or None)

    @staticmethod
    def _sorted(indices: list[int], column: list[Any], descending: bool) -> list[int]:
        """Stable sort by one column; missing values last in either direction."""
        present = [i for i in indices if not is_missing(column[i])]
        missing = [i for i in indices if is_missing(column[i])]
        try:
            present.sort(key=lambda i: column[i], reverse=descending)
        except TypeError:  # mixed types: order by type, then text
            present.sort(key=lambda i: (type(column[i]).__name__, str(column[i])),
                         reverse=descending)
        return present + missing

    def _set(self, value: tuple[dict[str, Any], Any]) -> None:
        self._transform, self._value = value

    def _to_wire(self) -> dict[str, Any]:
        return {key: list(part) for key, part in self._transform.items()}

    def _props(self) -> dict[str, Any]:
        return {**super()._props(), "operators": list(OPERATORS)}
