// Find and replace across the notebook's cells (Ctrl/Cmd-F in the notebook, or
// the toolbar's Find). Matches are searched in every cell's text, code and
// markdown alike, in notebook order; the current one is selected and scrolled
// to in its cell without taking focus from the panel. Replacing edits the
// cells' text as typing would (each editor's own undo takes it back).

import { EditorSelection } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { type FindQuery, findMatches, type Match, showFind } from "../editor/find";
import { actionButton } from "../buttons";
import type { CellView } from "./cell_view";

interface Located extends Match {
  cell: CellView;
}

function field(testid: string, label: string, placeholder: string): HTMLInputElement {
  const input = document.createElement("input");
  input.type = "text";
  input.dataset.testid = testid;
  input.setAttribute("aria-label", label);
  input.placeholder = placeholder;
  input.spellcheck = false;
  return input;
}


export class FindPanel {
  readonly element: HTMLElement;
  private readonly findInput = field("find-input", "Find in the notebook", "Find");
  private readonly replaceInput = field("replace-input", "Replace with", "Replace with");
  private readonly caseBox = document.createElement("input");
  private readonly count = document.createElement("span");
  private matches: Located[] = [];
  private current = -1;

  constructor(private readonly cells: () => readonly CellView[]) {
    this.element = document.createElement("div");
    this.element.className = "find-panel";
    this.element.dataset.testid = "find-panel";
    this.element.setAttribute("role", "search");
    this.element.hidden = true;
    this.caseBox.type = "checkbox";
    this.caseBox.dataset.testid = "find-case";
    const caseLabel = document.createElement("label");
    caseLabel.append(this.caseBox, " Match case");
    this.count.className = "find-count muted";
    this.count.dataset.testid = "find-count";
    this.count.setAttribute("aria-live", "polite");
    this.element.append(
      this.findInput,
      actionButton("find-previous", "↑", "Previous match (Shift-Enter)", () => this.step(-1)),
      actionButton("find-next", "↓", "Next match (Enter)", () => this.step(1)),
      caseLabel,
      this.count,
      this.replaceInput,
      actionButton("replace-one", "Replace", "Replace this match", () => this.replaceCurrent()),
      actionButton("replace-all", "Replace all", "Replace every match in every cell", () => this.replaceAll()),
      actionButton("find-close", "✕", "Close (Esc)", () => this.close()),
    );
    this.findInput.addEventListener("input", () => this.search(0));
    this.caseBox.addEventListener("change", () => this.search(0));
    this.findInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.step(event.shiftKey ? -1 : 1);
      }
    });
    this.replaceInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.replaceCurrent();
      }
    });
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
  }

  /** Open with `initial` (the selected text, if any) as the query. */
  open(initial = ""): void {
    this.element.hidden = false;
    if (initial && !initial.includes("\n")) this.findInput.value = initial;
    this.findInput.focus();
    this.findInput.select();
    this.search(0);
  }

  close(): void {
    this.element.hidden = true;
    this.matches = [];
    this.current = -1;
    for (const cell of this.cells()) {
      cell.editorView?.dispatch({ effects: showFind.of({ matches: [], current: null }) });
      if (cell.kind === "markdown" && !cell.editorView?.hasFocus) cell.showMarkdown();
    }
  }

  private get query(): FindQuery {
    return { text: this.findInput.value, caseSensitive: this.caseBox.checked };
  }

  /** Find every match again; the current one is the first at or after `from` (an index into the old list). */
  private search(keep: number): void {
    const query = this.query;
    this.matches = this.cells().flatMap((cell) => findMatches(cell.getCode(), query).map((m) => ({ ...m, cell })));
    this.current = this.matches.length === 0 ? -1 : Math.min(Math.max(keep, 0), this.matches.length - 1);
    this.show(false);
  }

  private step(delta: 1 | -1): void {
    if (this.matches.length === 0) return this.search(0);
    this.current = (this.current + delta + this.matches.length) % this.matches.length;
    this.show(true);
  }

  private show(scroll: boolean): void {
    const total = this.matches.length;
    const inCells = new Set(this.matches.map((m) => m.cell)).size;
    this.count.textContent = !this.findInput.value
      ? ""
      : total === 0
        ? "no matches"
        : `${this.current + 1} of ${total} in ${inCells} cell${inCells === 1 ? "" : "s"}`;
    const here = this.matches[this.current];
    for (const cell of this.cells()) {
      const mine = this.matches.filter((m) => m.cell === cell);
      const current = here && here.cell === cell ? mine.indexOf(here) : null;
      if (mine.length) cell.revealEditor();
      cell.editorView?.dispatch({ effects: showFind.of({ matches: mine, current }) });
    }
    if (here && scroll) {
      const view = here.cell.editorView;
      view?.dispatch({ selection: EditorSelection.single(here.from, here.to), effects: EditorView.scrollIntoView(here.from, { y: "center" }) });
      here.cell.root.scrollIntoView({ block: "nearest" });
    }
  }

  private replaceCurrent(): void {
    const here = this.matches[this.current];
    if (!here) return;
    const insert = this.replaceInput.value;
    here.cell.editorView?.dispatch({ changes: { from: here.from, to: here.to, insert } });
    // On to the next match after the replaced text (never one inside what was put in).
    const cells = this.cells();
    const order = (cell: CellView) => cells.indexOf(cell);
    this.search(0);
    const after = this.matches.findIndex(
      (m) => order(m.cell) > order(here.cell) || (m.cell === here.cell && m.from >= here.from + insert.length),
    );
    this.current = this.matches.length === 0 ? -1 : after === -1 ? 0 : after;
    this.show(true);
  }

  private replaceAll(): void {
    const insert = this.replaceInput.value;
    const query = this.query;
    for (const cell of this.cells()) {
      const found = findMatches(cell.getCode(), query);
      if (found.length) cell.editorView?.dispatch({ changes: found.map((m) => ({ from: m.from, to: m.to, insert })) });
    }
    this.search(0);
  }
}
