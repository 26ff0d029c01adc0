"""Notebooks and the labels their cells get (docs/protocol.md, "Cell labels").

Shared by the runtime tests (``kernels.runtime.notebook.cell_labels`` and the
kernel's messages) and the browser tests (the page's own labels), so the two
implementations of the rule are held to the same answers.
"""

from __future__ import annotations

# Each case: cells as (kind, code), and the label of each cell in order.
LABEL_CASES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "names, sorted, private names left out": (
        [("code", "base = 3"), ("code", "y = 1\nx = 2\n_hidden = 0"), ("code", "print(base)")],
        ["base", "x, y", "cell 3"],
    ),
    "many names are cut after three": (
        [("code", "g = f = e = d = c = b = a = 0")],
        ["a, b, c +4"],
    ),
    "markdown: first heading, closing hashes dropped": (
        [("markdown", "Some text\n\n## Loading the data ##\n\n# Later"), ("code", "data = 1")],
        ["Loading the data", "data"],
    ),
    "markdown: headings in code fences and empty ones do not count": (
        [("markdown", "```\n# a comment\n```\n#\n### Results"), ("markdown", "no heading")],
        ["Results", "cell 2"],
    ),
    "markdown: long headings are cut": (
        [("markdown", "# " + "word " * 20)],
        ["word word word word word word word word…"],
    ),
    "a label two cells would share becomes each one's position": (
        [("code", "x = 1"), ("code", "y = x"), ("code", "x = 2"), ("markdown", "# y")],
        ["cell 1", "cell 2", "cell 3", "cell 4"],
    ),
    "cells without names, and syntax errors, are their position": (
        [("code", ""), ("code", "1 + 1"), ("code", "oops = (")],
        ["cell 1", "cell 2", "cell 3"],
    ),
    "a heading that looks like a position is not used": (
        [("markdown", "# cell 1"), ("code", "z = 0")],
        ["cell 1", "z"],
    ),
}
