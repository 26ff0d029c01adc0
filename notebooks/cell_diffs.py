"""What changed between two versions of a notebook, cell by cell, as the history page shows it.

People think in cells, not in the ``.py`` file we store: the header, the ``# %%``
marker lines and the ``# `` in front of markdown lines are storage. So both texts
are read into cells and each cell is compared with its counterpart:

1. cells with the same name are the same cell (names survive edits, moves and saves);
2. the cells left over (an anonymous cell of a hand-written file, or a cell whose
   name is new) are aligned by content with ``notebooks.diffs.line_opcodes``, a cell
   for a line; in a stretch that differs, an anonymous cell is taken as an edit of
   the cell at its place, and a named one as removed (or added);
3. a cell that kept its content but not its order among the others is "moved"
   (those off a longest chain in the same order in both versions).

Each changed cell gets a line diff of its text. Every line diff of one answer shares
one ``DiffBudget``, and every step above is linear (or n log n) in the cells and
their text, so a diff of two large notebooks costs what one line diff of them does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from kernels.runtime.notebook import Cell, Notebook
from notebooks.diffs import DiffBudget, DiffLine, increasing_chain, line_opcodes, unified_diff

Status = Literal["added", "removed", "changed", "moved", "unchanged"]

# How much of a cell's first line names it in the list.
_SUMMARY_LENGTH = 80


@dataclass(frozen=True)
class CellChange:
    """One entry of a notebook diff: a cell, or a run of unchanged cells."""

    status: Status
    kind: str  # "code" or "markdown": the cell's kind now (a removed cell's last kind)
    position: int  # 1-based: in the newer version; a removed cell's, in the older one
    summary: str  # the cell's first line that is not blank, shortened
    lines: tuple[DiffLine, ...] = ()  # the text diff: added/removed cells hold all of it
    notes: tuple[str, ...] = ()  # "moved", "was markdown", "now disabled"...
    count: int = 1  # a run of unchanged cells: how many

    @property
    def label(self) -> str:
        kind = "Markdown cell" if self.kind == "markdown" else "Cell"
        return f"{kind} {self.position}"


def notebook_diff(
    old: Notebook, new: Notebook, *, budget: DiffBudget | None = None
) -> list[CellChange]:
    """The cells of ``new`` in order, each with what changed since ``old``; removed cells
    where they used to be; runs of unchanged cells as one entry."""
    budget = budget if budget is not None else DiffBudget()
    counterpart = _pairs(old.cells, new.cells, budget)  # new index -> old index
    in_order = _kept_in_order(counterpart)
    paired_old = set(counterpart.values())
    changes: list[CellChange] = []
    next_old = 0  # old cells before this one were shown, or are paired with a new cell
    for j, cell in enumerate(new.cells):
        i = counterpart.get(j)
        if i is not None and j in in_order:
            # Removed cells that stood before this one's old place go first.
            changes.extend(_removed(old.cells, range(next_old, i), paired_old))
            next_old = max(next_old, i + 1)
        before = old.cells[i] if i is not None else None
        changes.append(_change(before, cell, j, i is not None and j not in in_order, budget))
    changes.extend(_removed(old.cells, range(next_old, len(old.cells)), paired_old))
    return _unchanged_runs(changes)


def _pairs(old: list[Cell], new: list[Cell], budget: DiffBudget) -> dict[int, int]:
    new_by_name = {cell.name: j for j, cell in enumerate(new) if cell.name is not None}
    counterpart: dict[int, int] = {}
    for i, cell in enumerate(old):
        if cell.name is not None and (j := new_by_name.get(cell.name)) is not None:
            counterpart[j] = i
    paired_old = set(counterpart.values())
    rest_old = [i for i in range(len(old)) if i not in paired_old]
    rest_new = [j for j in range(len(new)) if j not in counterpart]
    keys_old = [_key(old[i]) for i in rest_old]
    keys_new = [_key(new[j]) for j in rest_new]
    for tag, i1, i2, j1, j2 in line_opcodes(keys_old, keys_new, budget):
        for a, b in zip(range(i1, i2), range(j1, j2), strict=False):
            i, j = rest_old[a], rest_new[b]
            if tag == "equal" or old[i].name is None or new[j].name is None:
                counterpart[j] = i
    return counterpart


def _key(cell: Cell) -> tuple[str, str]:
    return (cell.kind, cell.code)


def _kept_in_order(counterpart: dict[int, int]) -> set[int]:
    """The new indices of paired cells on a longest chain in the same order in both."""
    paired_new = sorted(counterpart)
    chain = increasing_chain([counterpart[j] for j in paired_new])
    return {paired_new[k] for k in chain}


def _change(old: Cell | None, new: Cell, j: int, moved: bool, budget: DiffBudget) -> CellChange:
    if old is None:
        return CellChange(
            "added", new.kind, j + 1, _summary(new), _whole(new, "added"), _flags(new)
        )
    notes: list[str] = []
    if old.kind != new.kind:
        notes.append(f"was {old.kind}, now {new.kind}")
    for flag, label in (("disabled", "disabled"), ("hide_code", "code hidden")):
        before, after = getattr(old.config, flag), getattr(new.config, flag)
        if before != after:
            notes.append(f"now {label}" if after else f"no longer {label}")
    lines: tuple[DiffLine, ...] = ()
    if old.code != new.code:
        lines = _readable_hunks(
            unified_diff(old.code.splitlines(), new.code.splitlines(), budget=budget)
        )
    status: Status = "changed" if lines or notes else "moved" if moved else "unchanged"
    if moved:
        notes.insert(0, "moved")
    return CellChange(status, new.kind, j + 1, _summary(new), lines, tuple(notes))


def _readable_hunks(lines: list[DiffLine]) -> tuple[DiffLine, ...]:
    """Hunk headers (``@@ -4,3 +4,5 @@``) as "⋯ line 4" (of the cell's new text); none
    before a hunk that starts at the top of the cell."""
    readable: list[DiffLine] = []
    for line in lines:
        if line.kind == "hunk":
            start = line.text.split("+", 1)[1].split(",", 1)[0].split(" ", 1)[0]
            if not (readable == [] and start in ("0", "1")):
                readable.append(DiffLine("hunk", f"⋯ line {start}"))
        else:
            readable.append(line)
    return tuple(readable)


def _removed(cells: list[Cell], indices: range, paired: set[int]) -> Iterator[CellChange]:
    for i in indices:
        if i not in paired:
            cell = cells[i]
            yield CellChange("removed", cell.kind, i + 1, _summary(cell), _whole(cell, "removed"))


def _whole(cell: Cell, kind: str) -> tuple[DiffLine, ...]:
    return tuple(DiffLine(kind, line) for line in cell.code.splitlines())


def _flags(cell: Cell) -> tuple[str, ...]:
    return tuple(
        label
        for flag, label in (("disabled", "disabled"), ("hide_code", "code hidden"))
        if getattr(cell.config, flag)
    )


def _summary(cell: Cell) -> str:
    """The first line with text, shortened; reading stops there, however long the cell."""
    start = 0
    code = cell.code
    while start < len(code):
        end = code.find("\n", start)
        end = len(code) if end == -1 else end
        line = code[start : min(end, start + 4 * _SUMMARY_LENGTH)].strip()
        if line:
            if cell.kind == "markdown":
                line = line.lstrip("#").strip() or line
            return line if len(line) <= _SUMMARY_LENGTH else line[: _SUMMARY_LENGTH - 1] + "…"
        start = end + 1
    return "(empty)"


def _unchanged_runs(changes: list[CellChange]) -> list[CellChange]:
    """Consecutive unchanged cells as one entry that counts them."""
    merged: list[CellChange] = []
    for change in changes:
        previous = merged[-1] if merged else None
        if change.status == "unchanged" and previous is not None and previous.status == "unchanged":
            merged[-1] = CellChange(
                "unchanged", previous.kind, previous.position, previous.summary,
                count=previous.count + 1,
            )
        else:
            merged.append(change)
    return merged
