"""Export a notebook as a flat Python script that runs its cells top to bottom.

The caller passes the execution order (a reactive notebook's file order is
not necessarily the order its cells must run in); by default cells go in
file order. ``export_order`` picks it: the run order, except for notebooks
imported from a format that runs top to bottom (Jupyter), whose file order is
kept as long as it still works as a script. Markdown cells become comment
blocks, each cell is introduced by a ``# --- cell <name>`` line, and a
docstring says the file was exported.
Export only: scripts are read back by ``pyfile.loads`` as one code cell.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence

from kernels.runtime.formats.pyfile import DEFAULT_HEADER, find_comment_block, normalize_newlines
from kernels.runtime.notebook import Cell, Notebook

#: A line in the header's ``# /// playground`` block of notebooks imported from Jupyter:
#: their cells ran top to bottom, so a script keeps that order.
TOP_TO_BOTTOM_LINE = '# imported-from = "jupyter"'
#: The default header with that line, which the Jupyter import gives a notebook.
TOP_TO_BOTTOM_HEADER = DEFAULT_HEADER.replace("# ///\n", f"{TOP_TO_BOTTOM_LINE}\n# ///\n", 1)


def export_order(nb: Notebook) -> list[int]:
    """The order ``dumps`` should write ``nb``'s cells in.

    The run order (parents first), unless the header says the notebook was imported
    from Jupyter: then file order, the order the cells ran in there, as long as every
    name a cell reads while it runs (not later, in a function) is defined by an
    earlier cell or by none. Both orders run the notebook; file order also keeps what
    it prints in the order Jupyter printed it.
    """
    from kernels.runtime.graph import run_order

    block = find_comment_block(nb.header or "", "playground")
    if block is not None and TOP_TO_BOTTOM_LINE in block.content.split("\n"):
        from kernels.runtime.formats.jupyter_rewrite import runs_in_file_order

        if runs_in_file_order(nb):
            return list(range(len(nb.cells)))
    return run_order(nb)


def dumps(nb: Notebook, order: Sequence[int] | None = None, *, title: str | None = None) -> str:
    """The script text for ``nb`` with cells in ``order`` (indices into ``nb.cells``).

    ``order`` may leave cells out but not repeat them. ``title`` (e.g. the
    notebook's file name) goes in the docstring. A ``# /// script`` block in
    the notebook header is copied to the top so ``uv run`` and similar tools
    still find the dependencies.
    """
    indices = list(range(len(nb.cells))) if order is None else list(order)
    _check_order(indices, len(nb.cells))

    parts = []
    # A PEP 723 inline-metadata block (`# /// script` ... `# ///`), e.g. dependencies.
    header = nb.header or ""
    block = find_comment_block(header, "script")
    if block is not None:
        parts.append(header[block.start : block.end] + "\n")
    what = f"the Playground notebook {title}" if title else "a Playground notebook"
    parts.append(
        f'"""Script exported from {what}.\n\n'
        "Cells follow in the order the notebook runs them; markdown cells are comments.\n"
        '"""\n'
    )
    for index in indices:
        parts.append(_cell_text(nb.cells[index], nb.cell_label(index)))
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def _check_order(indices: list[int], count: int) -> None:
    seen: set[int] = set()
    for index in indices:
        if not 0 <= index < count:
            raise ValueError(f"cell index {index} is out of range (the notebook has {count} cells)")
        if index in seen:
            raise ValueError(f"cell index {index} appears twice in the export order")
        seen.add(index)


def _cell_text(cell: Cell, label: str) -> str:
    cell = Cell(code=normalize_newlines(cell.code), kind=cell.kind, config=cell.config)
    lines = [f"# --- cell {label}"]
    if cell.kind == "markdown":
        lines += [f"# {line}" if line else "#" for line in cell.code.split("\n")]
        return "\n".join(lines)
    if cell.config.disabled:
        lines.append("# This cell is disabled in the notebook, so it is commented out here.")
        return "\n".join(lines + _commented(cell.code))
    problem = _compile_problem(cell.code)
    if problem == "await":
        lines += [
            "# NOTE: this cell uses top-level `await`, which `python script.py` rejects;",
            "# to run it, move it into `async def main(): ...` and call `asyncio.run(main())`.",
        ]
    elif problem is not None:
        lines.append(f"# This cell does not compile ({problem}), so it is commented out here.")
        return "\n".join(lines + _commented(cell.code))
    if cell.code.strip():
        lines.append(cell.code)
    return "\n".join(lines)


def _commented(code: str) -> list[str]:
    return [f"# {line}" if line else "#" for line in code.split("\n")] if code.strip() else []


def _compile_problem(code: str) -> str | None:
    """``None`` if ``code`` compiles as a script, ``"await"`` if it only
    compiles with top-level await, else a short description of the error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, "<cell>", "exec", dont_inherit=True)
            return None
        except (SyntaxError, ValueError) as error:
            first_error = error
        try:
            compile(code, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
            return "await"
        except (SyntaxError, ValueError):
            pass
    if isinstance(first_error, SyntaxError):
        return f"line {first_error.lineno}: {first_error.msg}"
    return str(first_error)
