"""The ``playground`` command line: run, graph, convert, export, new, kernel.

Every command reads notebooks in any supported format (our ``.py``, Jupyter
``.ipynb``, marimo ``.py``). Bad input ends with one line on stderr that says
what is wrong, and a non-zero exit status; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from kernels.runtime import __version__
from kernels.runtime.formats import (
    NotebookFormatError,
    dumps_notebook,
    load_notebook,
    new_notebook,
    save_notebook,
    with_cell_names,
    write_file_atomically,
)
from kernels.runtime.notebook import Notebook

EXIT_FAILED = 1  # a cell failed
EXIT_USAGE = 2  # bad input: unreadable file, unknown format, ...


class CommandError(Exception):
    """A problem with the user's input, reported as one line."""


def _load(path: str) -> Notebook:
    try:
        return load_notebook(path)
    except NotebookFormatError as exc:
        raise CommandError(str(exc)) from None


def _write_text(path: str, text: str) -> None:
    """Write an output file atomically so an existing file survives a failed write."""
    write_file_atomically(path, text.encode("utf-8"))


def _parse_set(assignments: list[str]) -> dict[str, object]:
    """``name=value`` pairs; values are JSON when they parse as JSON, else text."""
    values: dict[str, object] = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        if not sep or not name.strip().isidentifier():
            raise CommandError(f"--set expects name=value, got {assignment!r}")
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw
    return values


def cmd_run(args: argparse.Namespace) -> int:
    from kernels.runtime.script import run_in_terminal

    ui_values = _parse_set(args.set)
    notebook = _load(args.notebook)
    return run_in_terminal(notebook, path=args.notebook, ui_values=ui_values)


def cmd_graph(args: argparse.Namespace) -> int:
    from kernels.runtime.graph import graph_report

    report = graph_report(_load(args.notebook))
    if args.json:
        print(json.dumps(report))
        return 0
    for cell in report["cells"]:
        print(f"[{cell['index']}] {cell['name']}")
        print(f"    defines: {', '.join(cell['defs']) or '-'}")
        print(f"    reads:   {', '.join(cell['refs']) or '-'}")
    for parent, child in report["edges"]:
        print(f"edge: {parent} -> {child}")
    for error in report["errors"]:
        print(f"error ({error['kind']}): {error['message']}")
    return 0


def _flat_script(notebook: Notebook, path: str) -> str:
    from kernels.runtime.formats.script import dumps as dumps_script
    from kernels.runtime.formats.script import export_order

    return dumps_script(notebook, export_order(notebook), title=os.path.basename(path))


def cmd_convert(args: argparse.Namespace) -> int:
    notebook = _load(args.input)
    if args.to == "script":
        _write_text(args.output, _flat_script(notebook, args.input))
        return 0
    try:
        # Name every cell so the names stay stable from now on.
        save_notebook(with_cell_names(notebook), args.output)
    except NotebookFormatError as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    notebook = _load(args.notebook)
    if args.format == "site":
        return _export_site(notebook, args)
    if args.format == "html":
        from kernels.runtime.html_export import render_page
        from kernels.runtime.script import run_notebook

        run = run_notebook(notebook, path=args.notebook)
        title = args.title or os.path.splitext(os.path.basename(args.notebook))[0]
        page = render_page(notebook, run, title=title, show_code=not args.hide_code)
        _write_text(args.output, page)
        if run.failed:
            names = ", ".join(repr(c) for c in run.failed)
            print(f"playground: exported, but these cells failed: {names}", file=sys.stderr)
        return 0
    if args.format == "script":
        _write_text(args.output, _flat_script(notebook, args.notebook))
        return 0
    try:
        _write_text(args.output, dumps_notebook(notebook, args.format))
    except NotebookFormatError as exc:
        raise CommandError(str(exc)) from None
    return 0


def _export_site(notebook: Notebook, args: argparse.Namespace) -> int:
    from kernels.runtime.site_export import SiteExportError, export_site

    title = args.title or os.path.splitext(os.path.basename(args.notebook))[0]
    try:
        summary = export_site(
            with_cell_names(notebook), source_path=args.notebook, output=args.output,
            title=title, files=args.files, wheels=args.wheel, frontend=args.frontend,
            show_code=not args.hide_code and args.show_code, resolve=not args.no_resolve,
        )
    except (SiteExportError, OSError) as exc:
        raise CommandError(str(exc)) from None
    fetched = f" ({len(summary.fetched)} from the package index)" if summary.fetched else ""
    print(f"wrote {summary.directory}: {summary.total_bytes / 1e6:.1f} MB, "
          f"{summary.files} folder file(s), {summary.wheels} wheel(s){fetched}; serve it as "
          "static files (see docs/folders.md for the headers)")
    for warning in summary.warnings:
        print(f"playground: warning: {warning}", file=sys.stderr)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    path = args.path
    if os.path.exists(path) and not args.force:
        raise CommandError(f"{path} already exists; choose another name or pass --force")
    try:
        save_notebook(new_notebook(), path)
    except NotebookFormatError as exc:
        raise CommandError(str(exc)) from None
    print(f"created {path}")
    return 0


def cmd_kernel(args: argparse.Namespace) -> int:
    from kernels.transports.stdio import serve

    return serve()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``playground`` command."""
    parser = argparse.ArgumentParser(
        prog="playground", description="Reactive Python notebooks: run, inspect and convert."
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a notebook as a script, in dependency order")
    run.add_argument("notebook", help="a .py (ours or marimo) or .ipynb notebook")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="set the UI element held by variable NAME (VALUE is JSON or text); "
                     "repeatable")
    run.set_defaults(func=cmd_run)

    graph = commands.add_parser("graph", help="show what each cell defines and reads")
    graph.add_argument("notebook")
    graph.add_argument("--json", action="store_true", help="print the graph as JSON")
    graph.set_defaults(func=cmd_graph)

    convert = commands.add_parser("convert", help="convert between formats (by extension)")
    convert.add_argument("input")
    convert.add_argument("-o", "--output", required=True, help="output file (.py or .ipynb)")
    convert.add_argument("--to", choices=["notebook", "script"], default="notebook",
                         help="for .py output: our notebook format (default) or a flat script")
    convert.set_defaults(func=cmd_convert)

    export = commands.add_parser(
        "export", help="export to html, a flat script, ipynb, a marimo notebook, or a "
        "static site that runs the notebook in the browser",
        description="site: the folder gets the pure-Python wheels the notebook imports, "
        "downloaded with pip (python -m pip download) from the package index pip is set up "
        "with; see docs/folders.md, \"Static sites\"",
    )
    export.add_argument("format", choices=["html", "script", "ipynb", "marimo", "site"])
    export.add_argument("notebook")
    export.add_argument("-o", "--output", required=True, help="a file; for site, a folder")
    export.add_argument("--hide-code", action="store_true", help="html: show outputs only")
    export.add_argument("--title", help="html, site: page title (default: the file name)")
    export.add_argument("--files", metavar="FOLDER",
                        help="site: the notebook's folder (its working directory in the page)")
    export.add_argument("--wheel", action="append", default=[], metavar="FILE",
                        help="site: a pure-Python wheel the notebook imports, used instead of "
                        "one from the package index (a private package); repeatable")
    export.add_argument("--no-resolve", action="store_true",
                        help="site: do not download the pure-Python wheels the notebook imports "
                        "with pip (offline: only the --wheel files are in the site)")
    export.add_argument("--frontend", metavar="DIR",
                        help="site: the built front end (default: the checkout's frontend/dist)")
    export.add_argument("--show-code", action="store_true",
                        help="site: open with the code shown (default: the app view)")
    export.set_defaults(func=cmd_export)

    new = commands.add_parser("new", help="create a new notebook file")
    new.add_argument("path", nargs="?", default="notebook.py")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    new.set_defaults(func=cmd_new)

    kernel = commands.add_parser("kernel", help="run a kernel speaking the protocol")
    kernel.add_argument("--stdio", action="store_true", required=True,
                        help="JSON lines on stdin/stdout (see docs/protocol.md)")
    kernel.set_defaults(func=cmd_kernel)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``playground`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"playground: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # e.g. a full disk or a read-only directory while saving
        print(f"playground: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("playground: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
