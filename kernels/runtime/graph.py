"""The dataflow graph of a notebook: which cell feeds which, and what is wrong.

An edge goes from the cell defining a name to every cell reading it. The
graph is incremental (cells are set and removed one at a time, each costing
time proportional to its own names) so a 2000-cell notebook does not pay for
the whole graph on every edit. Errors that need the whole graph (cycles) are
recomputed lazily, only after the graph's shape changed.
"""

from __future__ import annotations

import builtins
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from kernels.runtime.analysis import CellAnalysis, analyze_cell
from kernels.runtime.notebook import Notebook, cell_labels, cell_reference, join_words

GraphErrorKind = Literal["multiple-definitions", "cycle", "syntax", "import-star"]

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class GraphError:
    """A reason some cells cannot run, naming every cell involved."""

    kind: GraphErrorKind
    cells: tuple[str, ...]
    message: str
    name: str | None = None  # the variable, for multiple definitions


class DataflowGraph:
    """Cells, the names they define and read, and the edges between them."""

    def __init__(self) -> None:
        self.analyses: dict[str, CellAnalysis] = {}
        self.position: dict[str, int] = {}
        self.definers: dict[str, set[str]] = {}
        self.readers: dict[str, set[str]] = {}
        self._cycles: list[tuple[str, ...]] | None = []
        self._next_position = 0

    # -- building ----------------------------------------------------------

    def set_cell(self, cell_id: str, analysis: CellAnalysis) -> bool:
        """Add or replace a cell; return whether its defs or refs changed."""
        old = self.analyses.get(cell_id)
        if old is not None and old.defs == analysis.defs and old.refs == analysis.refs:
            self.analyses[cell_id] = analysis
            return False
        if old is not None:
            self._unlink(cell_id, old)
        elif cell_id not in self.position:
            self.position[cell_id] = self._next_position
            self._next_position += 1
        self.analyses[cell_id] = analysis
        definers, readers = self.definers, self.readers
        for name in analysis.defs:
            definers.setdefault(name, set()).add(cell_id)
        for name in analysis.refs:
            readers.setdefault(name, set()).add(cell_id)
        self._cycles = None
        return True

    def remove_cell(self, cell_id: str) -> None:
        """Forget a cell and every edge through it."""
        old = self.analyses.pop(cell_id, None)
        if old is None:
            return
        self._unlink(cell_id, old)
        self.position.pop(cell_id, None)
        self._cycles = None

    def set_order(self, cell_ids: Iterable[str]) -> None:
        """Record the notebook's order, used to break ties between independent cells."""
        self.position = {cell_id: index for index, cell_id in enumerate(cell_ids)}
        self._next_position = len(self.position)

    def _unlink(self, cell_id: str, analysis: CellAnalysis) -> None:
        for table, names in ((self.definers, analysis.defs), (self.readers, analysis.refs)):
            for name in names:
                cells = table.get(name)
                if cells is not None:
                    cells.discard(cell_id)
                    if not cells:
                        del table[name]

    # -- queries -----------------------------------------------------------

    def parents(self, cell_id: str) -> set[str]:
        """Cells defining a name this cell reads."""
        found: set[str] = set()
        definers = self.definers
        for name in self.analyses[cell_id].refs:
            cells = definers.get(name)
            if cells:
                found.update(cells)
        found.discard(cell_id)
        return found

    def children(self, cell_id: str) -> set[str]:
        """Cells reading a name this cell defines."""
        found: set[str] = set()
        readers = self.readers
        for name in self.analyses[cell_id].defs:
            cells = readers.get(name)
            if cells:
                found.update(cells)
        found.discard(cell_id)
        return found

    def descendants(self, roots: Iterable[str]) -> set[str]:
        """Every cell reachable from ``roots`` (the roots excluded unless reached again)."""
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            for child in self.children(stack.pop()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def edges(self) -> set[tuple[str, str]]:
        """Every (parent, child) pair."""
        return {(parent, child) for child in self.analyses for parent in self.parents(child)}

    def topological(self, cell_ids: Iterable[str]) -> list[str]:
        """``cell_ids`` ordered so parents come first; ties follow notebook order.

        Cells caught in a cycle cannot be ordered; they come last, in
        notebook order (they never run, but callers still report them).
        """
        members = set(cell_ids)
        position = self.position
        indegree: dict[str, int] = {}
        children: dict[str, list[str]] = {}
        for cell_id in members:
            count = 0
            for parent in self.parents(cell_id):
                if parent in members:
                    count += 1
                    children.setdefault(parent, []).append(cell_id)
            indegree[cell_id] = count
        heap = [(position[c], c) for c, n in indegree.items() if n == 0]
        heapq.heapify(heap)
        ordered: list[str] = []
        while heap:
            _, cell_id = heapq.heappop(heap)
            ordered.append(cell_id)
            for child in children.get(cell_id, ()):
                indegree[child] -= 1
                if indegree[child] == 0:
                    heapq.heappush(heap, (position[child], child))
        if len(ordered) < len(members):
            done = set(ordered)
            ordered.extend(sorted(members - done, key=position.__getitem__))
        return ordered

    # -- errors ------------------------------------------------------------

    def cycles(self) -> list[tuple[str, ...]]:
        """Groups of cells that depend on each other (strongly connected, 2+ cells)."""
        if self._cycles is None:
            self._cycles = self._find_cycles()
        return self._cycles

    def _find_cycles(self) -> list[tuple[str, ...]]:
        # Iterative Tarjan: a 2000-cell chain would overflow recursion.
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        found: list[tuple[str, ...]] = []
        counter = 0
        position = self.position
        for start in sorted(self.analyses, key=position.__getitem__):
            if start in index:
                continue
            work: list[tuple[str, list[str]]] = [(start, sorted(self.children(start)))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, pending = work[-1]
                if pending:
                    child = pending.pop()
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, sorted(self.children(child))))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(tuple(sorted(component, key=position.__getitem__)))
        return found

    def multiply_defined(self) -> dict[str, set[str]]:
        """Names defined by more than one cell, with the cells defining them."""
        return {name: cells for name, cells in self.definers.items() if len(cells) > 1}

    def errors(self, label: Callable[[str], str] | None = None) -> list[GraphError]:
        """Every graph error, ordered by the first cell involved, then kind.

        ``label`` gives a cell's label (``notebook.cell_labels``) for messages
        (default: the id itself).
        """
        label = label or str

        def refer(cell_ids: Iterable[str]) -> str:
            return cell_reference([label(c) for c in cell_ids])

        position = self.position
        found: list[GraphError] = []
        for name, cells in self.multiply_defined().items():
            ordered = tuple(sorted(cells, key=position.__getitem__))
            found.append(GraphError(
                "multiple-definitions", ordered,
                f"'{name}' is defined in {refer(ordered)}; a name may be "
                "defined in only one cell, so none of them runs. Rename it in all but one, or "
                f"make it private to each cell with a leading underscore ('_{name}').",
                name,
            ))
        for component in self.cycles():
            names = sorted({
                name
                for cell_id in component
                for name in self.analyses[cell_id].refs
                if self.definers.get(name, set()) & set(component)
            })
            found.append(GraphError(
                "cycle", component,
                f"{refer(component)} depend on each other through "
                f"{join_words([repr(n) for n in names])}, so none of them runs. Move the shared "
                "computation into one cell, or rename a variable to break the cycle.",
            ))
        for cell_id, analysis in self.analyses.items():
            error = analysis.error
            if error is not None:
                found.append(GraphError(
                    error.kind, (cell_id,), f"{refer([cell_id])}: {error.message}"
                ))
        found.sort(key=lambda e: (position[e.cells[0]], e.kind, e.name or ""))
        return found


def build_graph(cells: Iterable[tuple[str, str]]) -> DataflowGraph:
    """Analyse ``(cell_id, code)`` pairs, in notebook order, into a graph."""
    graph = DataflowGraph()
    for cell_id, code in cells:
        graph.set_cell(cell_id, analyze_cell(code))
    graph.cycles()
    return graph


def graph_report(notebook: Notebook) -> dict[str, Any]:
    """The ``playground graph --json`` document for a notebook.

    Cells are listed in file order with sorted names. ``refs`` leave out the
    cell's own definitions, private names and builtins that no cell defines.
    """
    graph = DataflowGraph()
    index_of: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        cell_id = str(index)
        index_of[cell_id] = index
        if cell.kind != "code":
            graph.set_cell(cell_id, CellAnalysis(frozenset(), frozenset()))
            continue
        graph.set_cell(cell_id, analyze_cell(cell.code))

    labels = cell_labels(
        (cell.kind, cell.code, sorted(graph.analyses[str(index)].defs))
        for index, cell in enumerate(notebook.cells)
    )

    def label(cell_id: str) -> str:
        return labels[index_of[cell_id]]

    defined = set(graph.definers)
    cells_out = []
    for index in range(len(notebook.cells)):
        analysis = graph.analyses[str(index)]
        refs = [r for r in analysis.refs if r in defined or r not in BUILTIN_NAMES]
        cells_out.append({
            "index": index,
            "name": notebook.cell_label(index),
            "defs": sorted(analysis.defs),
            "refs": sorted(refs),
        })
    edges = sorted([index_of[p], index_of[c]] for p, c in graph.edges())
    errors = [
        {"kind": e.kind, "cells": [index_of[c] for c in e.cells], "message": e.message}
        for e in graph.errors(label)
    ]
    return {"cells": cells_out, "edges": edges, "errors": errors}


def run_order(notebook: Notebook) -> list[int]:
    """Indices of the notebook's cells in the order they run (parents first)."""
    graph = DataflowGraph()
    for index, cell in enumerate(notebook.cells):
        analysis = analyze_cell(cell.code) if cell.kind == "code" else CellAnalysis(
            frozenset(), frozenset()
        )
        graph.set_cell(str(index), analysis)
    return [int(cell_id) for cell_id in graph.topological(graph.analyses)]
