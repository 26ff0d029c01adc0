"""Line diffs between revisions, in time that grows with the text, not its square.

difflib's ``SequenceMatcher`` alone takes quadratic time (cubic at worst) in the
number of lines: two 300 kB revisions that differ on every other line keep it busy
for minutes. Here it only aligns short stretches, within a budget:

1. lines the two texts share at their start and at their end are equal;
2. in between, lines that occur exactly once in each text are paired, and the
   longest chain of pairs in the same order in both (patience diff's anchors,
   found in O(n log n)) are equal too;
3. difflib aligns the lines between consecutive anchors while its worst case for
   all of them stays within ``_DIFFLIB_BUDGET``; a stretch past that is shown as
   all removed, then all added: still a correct diff, if not the shortest.

Many diffs that make one answer (a notebook's cells, ``notebooks.cell_diffs``) share
one ``DiffBudget``, so the page as a whole stays within it, however many cells.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

OpcodeTag = Literal["replace", "delete", "insert", "equal"]
Opcode = tuple[OpcodeTag, int, int, int, int]  # as SequenceMatcher.get_opcodes() gives them

# Worst-case steps of difflib (lines x lines x matching blocks) over one diff; a few
# tenths of a second at most. Typical edits leave stretches of a few lines between
# anchors and cost a tiny part of it.
_DIFFLIB_BUDGET = 20_000_000


@dataclass
class DiffBudget:
    """Worst-case difflib steps left for the diffs of one answer."""

    left: int = field(default=_DIFFLIB_BUDGET)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context", "added", "removed", "hunk"
    text: str


def unified_diff(
    old: Sequence[str], new: Sequence[str], *, context: int = 3, budget: DiffBudget | None = None
) -> list[DiffLine]:
    """The hunks of a unified diff of ``old`` against ``new`` (lists of lines), as difflib's."""
    lines: list[DiffLine] = []
    for group in _Grouping(line_opcodes(old, new, budget)).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        old_range = _hunk_range(first[1], last[2])
        new_range = _hunk_range(first[3], last[4])
        lines.append(DiffLine("hunk", f"@@ -{old_range} +{new_range} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("context", line) for line in old[i1:i2])
                continue
            lines.extend(DiffLine("removed", line) for line in old[i1:i2])
            lines.extend(DiffLine("added", line) for line in new[j1:j2])
    return lines


def line_opcodes(
    old: Sequence[Hashable], new: Sequence[Hashable], budget: DiffBudget | None = None
) -> list[Opcode]:
    """How to turn ``old`` into ``new``, in the form of ``SequenceMatcher.get_opcodes()``.

    The items are lines, or anything hashable that compares equal when it is the same
    (``notebooks.cell_diffs`` aligns whole cells with it).
    """
    start, shorter = 0, min(len(old), len(new))
    while start < shorter and old[start] == new[start]:
        start += 1
    old_end, new_end = len(old), len(new)
    while old_end > start and new_end > start and old[old_end - 1] == new[new_end - 1]:
        old_end -= 1
        new_end -= 1
    opcodes: list[Opcode] = []
    _append(opcodes, "equal", 0, start, 0, start)
    budget = budget if budget is not None else DiffBudget()
    i, j = start, start
    for anchor_i, anchor_j in _anchors(old, new, start, old_end, start, new_end):
        _align(opcodes, old, new, (i, anchor_i, j, anchor_j), budget)
        _append(opcodes, "equal", anchor_i, anchor_i + 1, anchor_j, anchor_j + 1)
        i, j = anchor_i + 1, anchor_j + 1
    _align(opcodes, old, new, (i, old_end, j, new_end), budget)
    _append(opcodes, "equal", old_end, len(old), new_end, len(new))
    return opcodes


def _anchors(
    old: Sequence[Hashable], new: Sequence[Hashable], i1: int, i2: int, j1: int, j2: int
) -> list[tuple[int, int]]:
    """Pairs of equal lines, unique on both sides, in the same order in both."""
    old_counts = Counter(old[i1:i2])
    new_counts = Counter(new[j1:j2])
    new_index = {line: j for j, line in enumerate(new[j1:j2], j1) if new_counts[line] == 1}
    pairs = [
        (i, new_index[line])
        for i, line in enumerate(old[i1:i2], i1)
        if old_counts[line] == 1 and line in new_index
    ]
    # The longest chain with increasing positions in `new` (pairs already are in `old`'s order).
    return [pairs[index] for index in increasing_chain([j for _, j in pairs])]


def increasing_chain(values: Sequence[int]) -> list[int]:
    """The indices of a longest strictly increasing subsequence of ``values``, in
    O(n log n) (patience sorting)."""
    tails: list[int] = []  # tails[k]: the index ending the best chain of length k + 1 so far
    tail_values: list[int] = []  # the value at that index
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        k = bisect.bisect_left(tail_values, value)
        if k:
            previous[index] = tails[k - 1]
        if k == len(tails):
            tails.append(index)
            tail_values.append(value)
        else:
            tails[k] = index
            tail_values[k] = value
    chain = []
    index = tails[-1] if tails else -1
    while index != -1:
        chain.append(index)
        index = previous[index]
    return chain[::-1]


def _align(
    opcodes: list[Opcode],
    old: Sequence[Hashable],
    new: Sequence[Hashable],
    span: tuple[int, int, int, int],
    budget: DiffBudget,
) -> None:
    i1, i2, j1, j2 = span
    old_count, new_count = i2 - i1, j2 - j1
    cost = old_count * new_count * (min(old_count, new_count) + 1)
    if not old_count or not new_count or cost > budget.left:
        _append(opcodes, "replace", i1, i2, j1, j2)
        return
    budget.left -= cost
    matcher = difflib.SequenceMatcher(None, old[i1:i2], new[j1:j2])
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        _append(opcodes, tag, i1 + a1, i1 + a2, j1 + b1, j1 + b2)


def _append(
    opcodes: list[Opcode], tag: OpcodeTag, i1: int, i2: int, j1: int, j2: int
) -> None:
    if i1 == i2 and j1 == j2:
        return
    if tag == "replace":
        tag = "delete" if j1 == j2 else "insert" if i1 == i2 else tag
    if opcodes and opcodes[-1][0] == tag == "equal":
        opcodes[-1] = ("equal", opcodes[-1][1], i2, opcodes[-1][3], j2)
    else:
        opcodes.append((tag, i1, i2, j1, j2))


class _Grouping(difflib.SequenceMatcher[str]):
    """difflib's grouping of opcodes into hunks, applied to opcodes computed above."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        super().__init__(None, "", "")
        self._given = opcodes

    def get_opcodes(self) -> list[Opcode]:
        return self._given


def _hunk_range(start: int, stop: int) -> str:
    """``start,length`` (1-based) as a unified diff writes it; ``start`` alone for one line."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"
