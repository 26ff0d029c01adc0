"""An assignment as its author writes it: one notebook with marked cells, split on release.

A teacher writes the assignment as an ordinary notebook and marks cells with a
comment on their first line (docs/classroom.md has the whole syntax):

- ``# solution``: the whole cell is the teacher's answer. Students get a stub cell
  in its place (:data:`SOLUTION_STUB`).
- ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` (any number of ``#``, any case) inside
  a cell: only those lines are the answer; students get one stub line at the
  region's indentation.
- ``# check NAME points=N``: a public check. Students see it and run it in their
  browser; the grader runs it again on the server.
- ``# hidden test NAME points=N``: a hidden test. It is removed from the student
  version and never leaves the server; the grader runs it.

NAME defaults to the cell's name; ``points=`` defaults to 1 and may be a decimal
(0 to 1000, two decimal places at most). A check or test passes when its code runs
without raising. :func:`assignment_split` turns the author's notebook into what
students get (``student``) and what only the grader sees (``tests``), or refuses
it with an :class:`AuthoringError` naming the cell and the problem.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from kernels.runtime.notebook import Cell, Notebook

GradedKind = Literal["check", "hidden"]

SOLUTION_STUB = "# Your code here\n..."
REGION_STUB = "...  # Your code here"
MAX_POINTS = Decimal(1000)

# The first line of a marked cell: "# solution", "# check NAME points=2",
# "# hidden test NAME points=1.5" (any case, any spacing after the "#").
_DIRECTIVE = re.compile(
    r"^#\s*(?P<kind>solution|check|hidden[ \t]+test)\b(?P<rest>.*)$", re.IGNORECASE
)
_REGION = re.compile(r"^(?P<indent>[ \t]*)#+\s*(?P<edge>BEGIN|END)\s+SOLUTION\s*$", re.IGNORECASE)
_TEST_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")
_POINTS = re.compile(r"^points\s*=\s*(?P<value>\S+)$", re.IGNORECASE)


class AuthoringError(ValueError):
    """The assignment notebook's marks are wrong; ``message`` says where and what."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class GradedTest:
    """One graded check or hidden test: its code runs after the student's notebook."""

    name: str
    kind: GradedKind
    points: str  # a Decimal as text: exact, and JSON-safe
    code: str
    cell: str  # the author's cell name


@dataclass(frozen=True)
class GradingSuite:
    """Every graded test of an assignment, in notebook order. Never sent to students."""

    tests: tuple[GradedTest, ...]

    @property
    def points_total(self) -> Decimal:
        return sum((Decimal(test.points) for test in self.tests), Decimal(0))

    def to_json(self) -> str:
        return json.dumps({"tests": [asdict(test) for test in self.tests]}, sort_keys=True)

    @property
    def sha256(self) -> str:
        """The suite's identity: a grade is for a submission *and* this hash."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, text: str) -> GradingSuite:
        raw = json.loads(text)
        return cls(tests=tuple(GradedTest(**test) for test in raw["tests"]))


@dataclass(frozen=True)
class SplitAssignment:
    """What release makes of the author's notebook."""

    student: Notebook  # solutions stubbed, hidden tests gone
    tests: GradingSuite  # public checks and hidden tests, for the grader


def _where(cell: Cell, index: int) -> str:
    return f"cell {index + 1}" + (f" ({cell.name})" if cell.name else "")


def _points(text: str, where: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AuthoringError(f"{where}: points={text} is not a number.") from None
    if not value.is_finite() or value < 0 or value > MAX_POINTS:
        raise AuthoringError(f"{where}: points must be between 0 and {MAX_POINTS}, not {text}.")
    if value != value.quantize(Decimal("0.01")):
        raise AuthoringError(f"{where}: points may have two decimal places at most ({text}).")
    # "2" for 2.00, "0.5" for 0.50 (and never normalize()'s "1E+2" for 100).
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def _test_of(cell: Cell, index: int, kind: GradedKind, rest: str) -> GradedTest:
    where = _where(cell, index)
    name = ""
    points = "1"
    for word in rest.split():
        if match := _POINTS.match(word):
            points = _points(match["value"], where)
        elif word.lower().startswith("points"):
            raise AuthoringError(f"{where}: write points as points=N (for example points=2).")
        elif not name:
            if not _TEST_NAME.match(word):
                raise AuthoringError(
                    f"{where}: {word!r} cannot name a test: use letters, digits, _ . and -."
                )
            name = word
        else:
            raise AuthoringError(
                f"{where}: a test has one name; {word!r} is extra. Write: # check NAME points=N"
            )
    name = name or cell.name or f"cell-{index + 1}"
    body = cell.code.split("\n", 1)[1] if "\n" in cell.code else ""
    if not body.strip():
        raise AuthoringError(f"{where}: the test {name!r} has no code under its first line.")
    return GradedTest(name=name, kind=kind, points=points, code=body, cell=cell.name or "")


def _regions_stubbed(cell: Cell, index: int) -> str:
    """The cell's code with each BEGIN/END SOLUTION region made one stub line."""
    lines = cell.code.split("\n")
    out: list[str] = []
    begin: str | None = None  # the indentation of the open region
    for line in lines:
        match = _REGION.match(line)
        if match is None:
            if begin is None:
                out.append(line)
            continue
        if match["edge"].upper() == "BEGIN":
            if begin is not None:
                raise AuthoringError(
                    f"{_where(cell, index)}: BEGIN SOLUTION inside another solution region."
                )
            begin = match["indent"]
        else:
            if begin is None:
                raise AuthoringError(
                    f"{_where(cell, index)}: END SOLUTION with no BEGIN SOLUTION before it."
                )
            out.append(begin + REGION_STUB)
            begin = None
    if begin is not None:
        raise AuthoringError(f"{_where(cell, index)}: BEGIN SOLUTION is never ended.")
    return "\n".join(out)


def assignment_split(notebook: Notebook) -> SplitAssignment:
    """The student version and the test suite of an author's notebook (module docstring)."""
    student_cells: list[Cell] = []
    tests: list[GradedTest] = []
    for index, cell in enumerate(notebook.cells):
        if cell.kind != "code":
            student_cells.append(cell)
            continue
        first = cell.code.split("\n", 1)[0].strip()
        directive = _DIRECTIVE.match(first)
        if directive is None:
            student_cells.append(replace(cell, code=_regions_stubbed(cell, index)))
            continue
        kind = " ".join(directive["kind"].lower().split())
        if kind == "solution":
            if directive["rest"].strip():
                raise AuthoringError(
                    f"{_where(cell, index)}: '# solution' takes nothing after it "
                    f"({directive['rest'].strip()!r})."
                )
            student_cells.append(replace(cell, code=SOLUTION_STUB))
            continue
        test = _test_of(cell, index, "check" if kind == "check" else "hidden", directive["rest"])
        if any(_REGION.match(line) for line in cell.code.split("\n")):
            raise AuthoringError(
                f"{_where(cell, index)}: a test cell cannot hold a solution region."
            )
        tests.append(test)
        if test.kind == "check":
            student_cells.append(cell)
    names = [test.name for test in tests]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise AuthoringError(
            "Two tests have the same name: " + ", ".join(duplicates) + ". Give each its own."
        )
    if not tests:
        raise AuthoringError(
            "This assignment has no checks or hidden tests to grade: mark a cell with "
            "'# check NAME points=N' or '# hidden test NAME points=N' on its first line."
        )
    return SplitAssignment(
        student=replace(notebook, cells=student_cells), tests=GradingSuite(tests=tuple(tests))
    )
