"""Splitting an author's notebook into the student version and the test suite."""

from __future__ import annotations

from decimal import Decimal

import pytest

from classroom.authoring import (
    REGION_STUB,
    SOLUTION_STUB,
    AuthoringError,
    GradingSuite,
    assignment_split,
)
from kernels.runtime.notebook import Cell, Notebook


def _nb(*codes: str) -> Notebook:
    return Notebook(cells=[Cell(code=text, name=f"c{index}") for index, text in enumerate(codes)])


def test_solution_cells_become_stubs_hidden_tests_vanish_checks_stay() -> None:
    split = assignment_split(
        _nb(
            "data = [1, 2, 3]",
            "# solution\ntotal = sum(data)",
            "# check total_is_int points=1\nassert isinstance(total, int)",
            "# Hidden Test total_right points=2.5\nassert total == 6, 'total is wrong'",
        )
    )
    codes = [cell.code for cell in split.student.cells]
    assert codes == [
        "data = [1, 2, 3]",
        SOLUTION_STUB,
        "# check total_is_int points=1\nassert isinstance(total, int)",
    ]
    # The stub keeps the cell's place and name, so the student's notebook has the same shape.
    assert [cell.name for cell in split.student.cells] == ["c0", "c1", "c2"]
    tests = split.tests.tests
    assert [(t.name, t.kind, t.points, t.code, t.cell) for t in tests] == [
        ("total_is_int", "check", "1", "assert isinstance(total, int)", "c2"),
        ("total_right", "hidden", "2.5", "assert total == 6, 'total is wrong'", "c3"),
    ]
    assert split.tests.points_total == Decimal("3.5")


def test_solution_regions_are_replaced_at_their_indentation() -> None:
    split = assignment_split(
        _nb(
            "def area(r):\n    ### BEGIN SOLUTION\n    import math\n    return math.pi * r * r\n"
            "    ### END SOLUTION\n\nprint('defined')",
            "# check runs\narea(1)",
        )
    )
    assert split.student.cells[0].code == (f"def area(r):\n    {REGION_STUB}\n\nprint('defined')")
    assert "math.pi" not in split.student.cells[0].code


def test_defaults_name_from_the_cell_and_one_point() -> None:
    split = assignment_split(_nb("x = 1", "# hidden test\nassert x == 1"))
    (test,) = split.tests.tests
    assert (test.name, test.points) == ("c1", "1")


def test_markdown_cells_pass_through_untouched() -> None:
    notebook = Notebook(
        cells=[
            Cell(code="# solution\nText", kind="markdown", name="m"),
            Cell(code="# check a\nassert 1", name="a"),
        ]
    )
    split = assignment_split(notebook)
    assert split.student.cells[0].code == "# solution\nText"


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (("# BEGIN SOLUTION\nx = 1",), "cell 1 (c0): BEGIN SOLUTION is never ended."),
        (("x = 1\n# END SOLUTION",), "cell 1 (c0): END SOLUTION with no BEGIN SOLUTION before it."),
        (
            ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION",),
            "cell 1 (c0): BEGIN SOLUTION inside another solution region.",
        ),
        (("# check a points=x\nassert 1",), "cell 1 (c0): points=x is not a number."),
        (
            ("# check a points=-1\nassert 1",),
            "cell 1 (c0): points must be between 0 and 1000, not -1.",
        ),
        (
            ("# check a points=1001\nassert 1",),
            "cell 1 (c0): points must be between 0 and 1000, not 1001.",
        ),
        (
            ("# check a points=0.125\nassert 1",),
            "cell 1 (c0): points may have two decimal places at most (0.125).",
        ),
        (
            ("# check a points 2\nassert 1",),
            "cell 1 (c0): write points as points=N (for example points=2).",
        ),
        (
            ("# check a b\nassert 1",),
            "cell 1 (c0): a test has one name; 'b' is extra. Write: # check NAME points=N",
        ),
        (
            ("# check a/b\nassert 1",),
            "cell 1 (c0): 'a/b' cannot name a test: use letters, digits, _ . and -.",
        ),
        (("# check a",), "cell 1 (c0): the test 'a' has no code under its first line."),
        (
            ("# solution please\nx = 1",),
            "cell 1 (c0): '# solution' takes nothing after it ('please').",
        ),
        (
            ("# hidden test t\n# BEGIN SOLUTION\nx\n# END SOLUTION",),
            "cell 1 (c0): a test cell cannot hold a solution region.",
        ),
        (
            ("# check t\nassert 1", "# hidden test t\nassert 1"),
            "Two tests have the same name: t. Give each its own.",
        ),
    ],
)
def test_bad_marks_are_refused_naming_the_cell(codes: tuple[str, ...], message: str) -> None:
    with pytest.raises(AuthoringError) as refused:
        assignment_split(_nb(*codes))
    assert refused.value.message == message


def test_an_assignment_with_nothing_to_grade_is_refused() -> None:
    with pytest.raises(AuthoringError, match="no checks or hidden tests"):
        assignment_split(_nb("# solution\nx = 1"))


def test_the_suite_round_trips_and_its_hash_follows_its_content() -> None:
    first = assignment_split(_nb("# hidden test t points=2\nassert x == 1")).tests
    again = GradingSuite.from_json(first.to_json())
    assert again == first
    assert again.sha256 == first.sha256
    changed = assignment_split(_nb("# hidden test t points=2\nassert x == 2")).tests
    assert changed.sha256 != first.sha256
    repointed = assignment_split(_nb("# hidden test t points=3\nassert x == 1")).tests
    assert repointed.sha256 != first.sha256


def test_whole_numbers_of_points_are_written_plainly() -> None:
    split = assignment_split(
        _nb(
            "# check a points=2.00\nassert 1",
            "# check b points=0.50\nassert 1",
            "# check c points=100\nassert 1",
        )
    )
    assert [test.points for test in split.tests.tests] == ["2", "0.5", "100"]
