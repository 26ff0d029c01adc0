"""Export to a flat Python script."""

from __future__ import annotations

import ast

import pytest

from kernels.runtime.formats import dumps_notebook, pyfile, script
from kernels.runtime.notebook import Cell, CellConfig, Notebook


def sample() -> Notebook:
    return Notebook(
        cells=[
            Cell(code="# Totals\n\nAdds things up.", kind="markdown", name="intro"),
            Cell(code="print(total)", name="show"),
            Cell(code="data = [1, 2, 3]\ntotal = sum(data)", name="load"),
            Cell(code=""),
        ]
    )


def test_default_order_is_file_order() -> None:
    text = script.dumps(sample())
    assert text == (
        '"""Script exported from a Playground notebook.\n'
        "\n"
        "Cells follow in the order the notebook runs them; markdown cells are comments.\n"
        '"""\n'
        "\n"
        "# --- cell intro\n"
        "# # Totals\n"
        "#\n"
        "# Adds things up.\n"
        "\n"
        "# --- cell show\n"
        "print(total)\n"
        "\n"
        "# --- cell load\n"
        "data = [1, 2, 3]\n"
        "total = sum(data)\n"
        "\n"
        "# --- cell cell-3\n"
    )
    ast.parse(text)


def test_given_order_is_followed_and_the_script_runs() -> None:
    text = script.dumps(sample(), [2, 1], title="totals.py")
    assert "the Playground notebook totals.py" in text
    assert text.index("# --- cell load") < text.index("# --- cell show")
    assert "# --- cell intro" not in text
    printed: list[object] = []
    exec(compile(text, "totals", "exec"), {"print": printed.append})
    assert printed == [6]


@pytest.mark.parametrize(("order", "message"), [([0, 0], "appears twice"), ([4], "out of range")])
def test_bad_order_is_refused(order: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        script.dumps(sample(), order)


def test_async_disabled_and_broken_cells_are_explained() -> None:
    nb = Notebook(
        cells=[
            Cell(code="await main()", name="wait"),
            Cell(code="launch()\n\nmore()", name="off", config=CellConfig(disabled=True)),
            Cell(code="def broken(:", name="bad"),
        ]
    )
    text = script.dumps(nb)
    assert "# --- cell wait\n# NOTE: this cell uses top-level `await`" in text
    assert "asyncio.run(main())`.\nawait main()\n" in text
    assert "disabled in the notebook, so it is commented out here.\n# launch()\n#\n# more()" in text
    assert "# This cell does not compile (line 1: " in text
    assert "\n# def broken(:\n" in text
    assert "\nlaunch()" not in text


def test_script_metadata_block_is_copied_to_the_top() -> None:
    header = '# /// script\n# dependencies = ["httpx"]\n# ///\n' + pyfile.DEFAULT_HEADER
    text = script.dumps(Notebook(cells=[Cell(code="import httpx")], header=header))
    assert text.startswith('# /// script\n# dependencies = ["httpx"]\n# ///\n\n"""Script exported')
    assert "# /// playground" not in text
    assert "kernels.runtime.script" not in text


def test_script_is_an_export_format_of_the_package() -> None:
    assert dumps_notebook(sample(), "script") == script.dumps(sample())
