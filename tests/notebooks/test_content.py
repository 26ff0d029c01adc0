"""Imports (our .py, marimo .py, Jupyter .ipynb, /play#code/ links), save checks and previews.

The notebooks in fixtures/ are written the way their tools and users write them:
magics and outputs in the Jupyter one, marimo's generated scaffolding and UI
elements in the marimo one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_django import Settings

from kernels.runtime.formats import loads_notebook
from kernels.runtime.notebook import Cell
from notebooks.content import (
    ImportedNotebook,
    notebook_import_convert,
    notebook_summary,
    notebook_text_parse,
    size_check,
)
from notebooks.errors import InvalidNotebook, NotebookTooLarge
from tests.browser.lzstring import compress_to_encoded_uri_component
from tests.factories import code, markdown

FIXTURES = Path(__file__).parent / "fixtures"


def _cells(imported: ImportedNotebook) -> list[tuple[str, str]]:
    """(kind, code) of each cell of the converted text, read back as the editor will."""
    notebook = loads_notebook(imported.text, "playground")
    return [(cell.kind, cell.code) for cell in notebook.cells]


def test_our_own_format_is_kept_as_it_is() -> None:
    text = (FIXTURES / "ours.py").read_text()

    imported = notebook_import_convert(text=text, filename="loan_calculator.py")

    assert imported.source_format == "playground"
    assert imported.title == "loan calculator"
    assert _cells(imported) == [
        ("markdown", "# Loan calculator\nMonthly payment for a fixed-rate loan."),
        ("code", "principal = 250_000\nrate = 0.042 / 12\nmonths = 30 * 12"),
        ("code", "payment = principal * rate / (1 - (1 + rate) ** -months)\nround(payment, 2)"),
    ]
    # Cells without a name get one, so the editor can address every cell.
    assert all(cell.name for cell in loads_notebook(imported.text, "playground").cells)


def test_jupyter_notebook_keeps_code_and_prose_and_comments_out_magics() -> None:
    text = (FIXTURES / "penguins.ipynb").read_text()

    imported = notebook_import_convert(text=text, filename="")

    assert imported.source_format == "ipynb"
    assert imported.title == "Palmer penguins"
    cells = _cells(imported)
    assert cells[0] == (
        "markdown",
        "# Palmer penguins\n\nA first look at the **penguins** dataset: bill length by species.",
    )
    assert cells[1] == ("code", "# %matplotlib inline\n# !pip install -q seaborn\nimport statistics")
    assert cells[2][1].endswith("means = {name: round(statistics.mean(v), 1) for name, v in bills.items()}\nmeans")
    assert cells[3] == ("code", "# %%time\nlongest = max(means, key=means.get)\nlongest")
    assert cells[4] == ("code", "# means?")
    # Outputs (the PNG, the stream) are not part of a notebook's source.
    assert "iVBORw0KGgo" not in imported.text and "3 species" not in imported.text
    # "hide-input" tags survive as our hide_code.
    assert loads_notebook(imported.text, "playground").cells[2].config.hide_code
    # The result is a notebook a save accepts.
    notebook_text_parse(imported.text)


def test_uploaded_ipynb_is_read_by_its_extension() -> None:
    text = (FIXTURES / "penguins.ipynb").read_text()

    imported = notebook_import_convert(text="\ufeff" + text, filename="Penguins_2025.ipynb")

    assert (imported.source_format, imported.title) == ("ipynb", "Penguins 2025")


def test_marimo_notebook_is_converted_to_our_cells() -> None:
    text = (FIXTURES / "churn.py").read_text()

    imported = notebook_import_convert(text=text, filename="")

    assert imported.source_format == "marimo"
    assert imported.title == "Customer churn"
    cells = _cells(imported)
    assert cells == [
        ("code", "import marimo as mo"),
        ("markdown", "# Customer churn\n\nWhich plans lose the most customers each month?"),
        ("code", 'threshold = mo.ui.slider(1, 20, value=5, label="Churn threshold (%)")\nthreshold'),
        ("code", 'plans = {"basic": 12.5, "pro": 4.1, "team": 2.3}'),
        ("code", "risky = [name for name, rate in plans.items() if rate > threshold.value]\nrisky"),
    ]
    assert "marimo.App" not in imported.text and "app.run()" not in imported.text
    notebook_text_parse(imported.text)


@pytest.mark.parametrize(
    "link",
    [
        "https://playground.example/play#code/{data}",
        "https://playground.example/play?mode=read#code/{data}",
        "https://marimo.app/#code/{data}",
        "#code/{data}",
        "  https://playground.example/play#code/{data}\n",
    ],
)
def test_play_links_are_imported_with_the_notebook_they_hold(link: str) -> None:
    source = "import math\n\nradius = 2\narea = math.pi * radius ** 2  # ≈ 12.6 m²\narea\n"
    data = compress_to_encoded_uri_component(source)

    imported = notebook_import_convert(text=link.format(data=data))

    assert imported.source_format == "play-link"
    assert _cells(imported) == [("code", source.rstrip("\n"))]


def test_a_link_holding_a_marimo_notebook_is_converted() -> None:
    data = compress_to_encoded_uri_component((FIXTURES / "churn.py").read_text())

    imported = notebook_import_convert(text=f"https://marimo.app/#code/{data}")

    assert imported.source_format == "play-link"
    assert _cells(imported)[3] == ("code", 'plans = {"basic": 12.5, "pro": 4.1, "team": 2.3}')


@pytest.mark.parametrize(
    ("text", "filename", "message"),
    [
        ("", "", "There is nothing to import: paste a notebook or choose a file."),
        (" \n\t", "", "There is nothing to import"),
        ("x = 1\n", "report.txt", "report.txt: Playground imports .py (Playground or marimo) and .ipynb (Jupyter) notebooks."),
        ("{not json", "data.ipynb", "data.ipynb: not valid JSON (line 1, column 2"),
        ('{"cells": []}', "", "the pasted notebook: no 'nbformat' key, so this is not a Jupyter notebook"),
        ('{\n "cells": [\n  {"cell_type": "code", "source": ["x = 1"]', "", "the pasted notebook: not valid JSON"),
        ('{"nbformat": 3, "worksheets": []}', "old.ipynb", "old.ipynb: nbformat 3 is not supported, only version 4"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code"}]}', "a.ipynb", "has no 'source' key"),
        ('{"nbformat": 4, "cells": [{"cell_type": "output", "source": ""}]}', "a.ipynb", "unknown cell_type 'output'"),
        ("import marimo\napp = marimo.App()\n\n@app.cell\ndef _(:\n    return\n", "broken.py", "broken.py: line 5: invalid syntax; the marimo notebook is not valid Python"),
        ("https://playground.example/play#code/", "", "the link's #code/ part ends too early; was it cut?"),
        ("https://playground.example/play#code/N4Ig!!", "", "the link's #code/ part has a character ('!') that lz-string links never contain"),
        ("#code/Q", "", "this link's notebook is empty"),
    ],
)
def test_malformed_input_says_what_is_wrong(text: str, filename: str, message: str) -> None:
    with pytest.raises(InvalidNotebook) as refused:
        notebook_import_convert(text=text, filename=filename)

    assert message in refused.value.message
    assert refused.value.status == 400


@pytest.mark.parametrize(
    "text",
    ['{"values": ' + "[" * 100_000, "https://[bad#code/N4Ig"],
    ids=["json-nested-too-deep-to-read", "link-that-is-no-url"],
)
def test_text_that_only_looks_like_json_or_a_link_is_imported_as_code(text: str) -> None:
    imported = notebook_import_convert(text=text)

    assert imported.source_format == "playground"
    assert _cells(imported) == [("code", text)]


def test_a_cut_link_is_refused_not_half_imported() -> None:
    data = compress_to_encoded_uri_component("print('a notebook long enough to be cut')\n" * 20)

    with pytest.raises(InvalidNotebook, match="was it cut"):
        notebook_import_convert(text="#code/" + data[: len(data) // 2])


def test_an_import_over_the_size_limit_is_refused_with_413(settings: Settings) -> None:
    settings.NOTEBOOK_MAX_BYTES = 1_000

    with pytest.raises(NotebookTooLarge) as refused:
        notebook_import_convert(text="x = 1\n" * 300, filename="big.py")

    assert refused.value.status == 413
    assert "over the limit of 1 kB per notebook" in refused.value.message


def test_a_small_link_that_expands_past_the_limit_is_refused_without_expanding_it(
    settings: Settings,
) -> None:
    """LZW output grows with the square of the input: 8 kB of link can hold 10 MB."""
    settings.NOTEBOOK_MAX_BYTES = 10_000
    data = compress_to_encoded_uri_component("a" * 300_000)
    assert len(data) < 1_500

    with pytest.raises(NotebookTooLarge) as refused:
        notebook_import_convert(text=f"https://playground.example/play#code/{data}")

    assert refused.value.status == 413
    assert "over the limit of 10 kB per notebook" in refused.value.message


def test_a_link_just_within_the_limit_is_accepted(settings: Settings) -> None:
    settings.NOTEBOOK_MAX_BYTES = 5_000
    source = "x = 1\n# " + "é" * 1_000 + "\n"  # 2 bytes a character: 2016 bytes
    data = compress_to_encoded_uri_component(source)

    imported = notebook_import_convert(text=f"#code/{data}")

    assert _cells(imported)[0][1] == source.rstrip("\n")


def test_a_save_must_be_in_our_format() -> None:
    with pytest.raises(InvalidNotebook) as refused:
        notebook_text_parse((FIXTURES / "churn.py").read_text())

    assert "This is a marimo notebook, not one in Playground's format: import it instead" in (
        refused.value.message
    )


def test_size_check_names_both_sizes(settings: Settings) -> None:
    settings.NOTEBOOK_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(NotebookTooLarge) as refused:
        size_check(b"x" * 3_000_000)
    assert refused.value.message.startswith("This notebook is 3.0 MB, over the limit of 2.1 MB")
    assert refused.value.detail == {"size": 3_000_000, "limit": 2 * 1024 * 1024}
    size_check(b"x" * (2 * 1024 * 1024))


def _summary(*cells: Cell) -> str:
    from kernels.runtime.notebook import Notebook

    return notebook_summary(Notebook(cells=list(cells)))


def test_summary_is_the_first_prose_in_plain_words() -> None:
    summary = _summary(
        code("import pandas as pd"),
        markdown(""),
        markdown(
            "# Sales report\n\nQuarterly **numbers** by region, from "
            "[the ledger](https://example.com/ledger) and `sales_2025.csv`.<br>_Draft_."
        ),
        markdown("# Appendix"),
    )

    assert summary == (
        "Sales report Quarterly numbers by region, from the ledger and sales_2025.csv. Draft."
    )


def test_summary_is_cut_at_a_word_with_an_ellipsis() -> None:
    summary = _summary(markdown("word " * 100))

    assert len(summary) <= 200
    assert summary.endswith("word…")


def test_summary_is_empty_without_prose() -> None:
    assert _summary(code("x = 1")) == ""


def test_ipynb_outputs_never_reach_the_summary_or_title() -> None:
    raw = json.loads((FIXTURES / "penguins.ipynb").read_text())
    raw["cells"] = raw["cells"][1:]  # no markdown left

    imported = notebook_import_convert(text=json.dumps(raw))

    assert imported.title == ""
    assert notebook_summary(loads_notebook(imported.text, "playground")) == ""
