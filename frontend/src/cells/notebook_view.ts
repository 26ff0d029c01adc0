// The notebook on the page: the ordered cells, the commands user actions
// become, and the kernel events routed back to the cells. Reactivity is the
// kernel's; this only sends commands and shows events (docs/protocol.md).
// It also keeps the notebook-level undo (adding, deleting, moving and
// converting cells; text edits have each editor's own undo) and command mode:
// Esc leaves a cell's editor and keys act on cells (docs/frontend-contract.md).

import type { KernelBackend } from "../kernel/switch";
import type { CellConfig, CellKind, KernelEvent, NotebookCell, NotebookFile } from "../kernel/messages";
import { forgetDetachedFrames } from "../outputs/frame";
import { setUiSender, uiValueRefused } from "../outputs/widgets";
import { CellView, type CellActions } from "./cell_view";
import { cellLabels, cellReference } from "./labels";
import { type Analysis, notebookNames } from "./links";
import { newCellName } from "./names";

/** How long typing pauses before the kernel hears about the edit (marks the cell stale). */
const UPDATE_DELAY_MS = 600;
/** How many cell changes can be undone. */
const UNDO_LIMIT = 100;

/** A change to the notebook's cells, as undo needs it. */
type CellChange =
  | { kind: "added"; id: string }
  | { kind: "deleted"; cell: NotebookCell; index: number }
  | { kind: "moved"; id: string; from: number }
  | { kind: "converted"; before: NotebookCell; id: string };
const DEFAULT_CONFIG: CellConfig = { disabled: false, hide_code: false };

export interface NotebookHooks {
  /** The notebook's content changed (autosave). */
  changed(): void;
  save(): void;
  selected(cell: CellView | null): void;
  /** Analyses or cell labels changed: links of the selected cell and the panels' cell names may differ. */
  analysed(): void;
}

export class NotebookView implements CellActions {
  readonly element: HTMLElement;
  readonly analyses = new Map<string, Analysis>();
  private cells: CellView[] = [];
  private readonly byId = new Map<string, CellView>();
  private readonly pendingUpdates = new Map<string, number>();
  private header: string | null = null;
  private selectedCell: CellView | null = null;
  private readonly kernel: KernelBackend;
  private readonly readOnly: boolean;
  private readonly hooks: NotebookHooks;
  private readonly undoStack: CellChange[] = [];
  /** "Cell deleted · Undo": the last change that can be undone, said once. */
  readonly undoNotice: HTMLElement;
  /** The first `d` of `dd` in command mode. */
  private pendingDelete = false;
  /** Each cell's label by id (labels.ts), recomputed once after a burst of changes. */
  private labels = new Map<string, string>();
  private relabelTimer = 0;

  constructor(options: { kernel: KernelBackend; readOnly: boolean; hooks: NotebookHooks }) {
    this.kernel = options.kernel;
    setUiSender((object_id, value) => this.kernel.send({ type: "set_ui_value", object_id, value }));
    this.readOnly = options.readOnly;
    this.hooks = options.hooks;
    this.element = document.createElement("div");
    this.element.className = "cells";
    this.undoNotice = document.createElement("div");
    this.undoNotice.className = "undo-notice";
    this.undoNotice.dataset.testid = "undo-notice";
    this.undoNotice.setAttribute("role", "status");
    this.undoNotice.hidden = true;
    if (!this.readOnly) this.element.addEventListener("keydown", (event) => this.commandKey(event));
    this.kernel.subscribe({
      event: (event) => this.handle(event),
      packageNotice: (cellId, level, text) => this.byId.get(cellId)?.setPackageNotice(level, text),
    });
  }

  /** The cells, in notebook order. */
  get cellViews(): readonly CellView[] {
    return this.cells;
  }

  get order(): string[] {
    return this.cells.map((c) => c.id);
  }

  get selected(): CellView | null {
    return this.selectedCell;
  }

  cell(id: string): CellView | undefined {
    return this.byId.get(id);
  }

  // -- whole notebook ------------------------------------------------------

  /** Replace the notebook with `file`, then run every cell. */
  load(file: NotebookFile): void {
    this.undoStack.length = 0;
    this.undoNotice.hidden = true;
    for (const cell of [...this.cells].reverse()) this.removeCell(cell, false);
    this.header = file.header;
    for (const cell of file.cells) this.insert(cell, this.cells.length, false);
    if (this.cells.length === 0) this.insert({ name: newCellName([]), code: "", kind: "code", config: DEFAULT_CONFIG }, 0, false);
    this.kernel.send({ type: "run_all" });
  }

  toFile(): NotebookFile {
    return {
      header: this.header,
      cells: this.cells.map((c) => ({ name: c.id, code: c.getCode(), kind: c.kind, config: { ...c.config } })),
    };
  }

  runAll(): void {
    this.flushUpdates();
    this.kernel.send({ type: "run_all" });
  }

  /** A kernel that just started (a server kernel) hears of every cell as it is on screen; nothing runs. */
  announceCells(): void {
    for (const cell of this.cells) {
      const code = this.takeCode(cell);
      this.kernel.send({ type: "create_cell", cell_id: cell.id, code, kind: cell.kind, config: { ...cell.config }, index: null });
    }
  }

  /**
   * A kernel that already ran this notebook (a server kernel this page joined)
   * gets the cells as they are on screen: those it has (`known`) are updated (the
   * kernel marks a changed one stale), the others created, cells it has that
   * the page has not deleted, and the order set. Nothing runs; its names stay.
   */
  syncCells(known: ReadonlySet<string>): void {
    const here = new Set(this.order);
    for (const id of known) if (!here.has(id)) this.kernel.send({ type: "delete_cell", cell_id: id });
    this.cells.forEach((cell, index) => {
      const code = this.takeCode(cell);
      // A create the kernel refuses (it had the cell after all) leaves it unchanged; the update follows.
      if (!known.has(cell.id)) this.kernel.send({ type: "create_cell", cell_id: cell.id, code, kind: cell.kind, config: { ...cell.config }, index: null });
      this.kernel.send({ type: "update_cell", cell_id: cell.id, code, config: { ...cell.config } });
      this.kernel.send({ type: "move_cell", cell_id: cell.id, index });
    });
  }

  /** The kernel that made the outputs on screen is gone: they stay, marked stale, until the cells run again. */
  markAllStale(): void {
    for (const cell of this.cells) if (cell.kind === "code") cell.setStatus("stale");
  }

  /** The cell's code as it is now, counted as sent (no update follows for it). */
  private takeCode(cell: CellView): string {
    window.clearTimeout(this.pendingUpdates.get(cell.id));
    this.pendingUpdates.delete(cell.id);
    cell.sentCode = cell.getCode();
    return cell.sentCode;
  }

  addCell(kind: CellKind, index: number = this.cells.length, edit = true): CellView {
    const cell = this.insert({ name: newCellName(this.byId.keys()), code: "", kind, config: DEFAULT_CONFIG }, index, true);
    this.record({ kind: "added", id: cell.id }, null);
    if (edit) {
      cell.focus();
    } else {
      this.select(cell);
      cell.commandMode();
    }
    this.hooks.changed();
    return cell;
  }

  // -- undo ---------------------------------------------------------------------

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** Take back the last change to the cells (Ctrl/Cmd-Z outside an editor, `z` in command mode). */
  undo(): void {
    const change = this.undoStack.pop();
    this.undoNotice.hidden = true;
    if (!change) return;
    switch (change.kind) {
      case "added": {
        const cell = this.byId.get(change.id);
        if (cell) this.removeCell(cell, true);
        break;
      }
      case "deleted": {
        // Its name may have been given to a new cell since.
        const name = this.byId.has(change.cell.name) ? newCellName(this.byId.keys()) : change.cell.name;
        const cell = this.insert({ ...change.cell, name }, Math.min(change.index, this.cells.length), true);
        // Its names went with it; running it brings them (and its dependents) back.
        if (cell.kind === "code") this.kernel.send({ type: "run", cell_ids: [cell.id] });
        else cell.showMarkdown();
        this.select(cell);
        cell.commandMode();
        break;
      }
      case "moved": {
        const cell = this.byId.get(change.id);
        if (cell) this.place(cell, change.from);
        break;
      }
      case "converted": {
        const cell = this.byId.get(change.id);
        if (!cell) break;
        const index = this.cells.indexOf(cell);
        this.removeCell(cell, false);
        const back = this.insert(change.before, index, true);
        if (back.kind === "code") this.kernel.send({ type: "run", cell_ids: [back.id] });
        this.select(back);
        back.commandMode();
        break;
      }
    }
    this.hooks.changed();
    this.hooks.analysed();
  }

  private record(change: CellChange, notice: string | null): void {
    this.undoStack.push(change);
    if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    if (notice === null) {
      this.undoNotice.hidden = true;
      return;
    }
    const undo = document.createElement("button");
    undo.type = "button";
    undo.dataset.testid = "undo";
    undo.textContent = "Undo";
    undo.addEventListener("click", () => this.undo());
    this.undoNotice.replaceChildren(`${notice} · `, undo);
    this.undoNotice.hidden = false;
  }

  // -- command mode -------------------------------------------------------------

  private commandKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    const cell = this.cells.find((c) => c.root === target);
    // Only keys pressed on a cell itself (command mode), not in its editor or outputs.
    if (!cell || event.ctrlKey || event.metaKey || event.altKey) return;
    const index = this.cells.indexOf(cell);
    const go = (to: number) => {
      const next = this.cells[Math.max(0, Math.min(to, this.cells.length - 1))];
      if (!next) return;
      this.select(next);
      next.commandMode();
      next.root.scrollIntoView({ block: "nearest" });
    };
    const key = event.key;
    const deleteNow = key === "d" && this.pendingDelete;
    this.pendingDelete = key === "d" && !deleteNow;
    let handled = true;
    switch (key) {
      case "ArrowUp":
      case "k":
        go(index - 1);
        break;
      case "ArrowDown":
      case "j":
        go(index + 1);
        break;
      case "Enter":
        cell.focus();
        break;
      case "a":
        this.addCell(cell.kind === "markdown" ? "markdown" : "code", index, false);
        break;
      case "b":
        this.addCell("code", index + 1, false);
        break;
      case "d":
        if (deleteNow) this.remove(cell);
        break;
      case "m":
        this.convert(cell, "markdown");
        break;
      case "y":
        this.convert(cell, "code");
        break;
      case "z":
        this.undo();
        break;
      case "Shift":
        handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  /** A code cell becomes markdown or back: same name and text, the other kind. */
  convert(cell: CellView, kind: CellKind): void {
    if (cell.kind === kind) return;
    this.flushUpdate(cell);
    const before: NotebookCell = { name: cell.id, code: cell.getCode(), kind: cell.kind, config: { ...cell.config } };
    const index = this.cells.indexOf(cell);
    this.removeCell(cell, false);
    const converted = this.insert({ ...before, kind }, index, true);
    if (kind === "markdown") converted.showMarkdown();
    this.record({ kind: "converted", before, id: converted.id }, null);
    this.select(converted);
    converted.commandMode();
    this.hooks.changed();
    this.hooks.analysed();
  }

  // -- CellActions ------------------------------------------------------------

  run(cell: CellView): void {
    this.flushUpdate(cell);
    if (cell.kind === "markdown") {
      cell.showMarkdown();
      return;
    }
    this.kernel.send({ type: "run", cell_ids: [cell.id] });
  }

  runAndInsert(cell: CellView): void {
    this.run(cell);
    this.addCell("code", this.cells.indexOf(cell) + 1);
  }

  remove(cell: CellView): void {
    this.flushUpdate(cell);
    const index = this.cells.indexOf(cell);
    const kept: NotebookCell = { name: cell.id, code: cell.getCode(), kind: cell.kind, config: { ...cell.config } };
    const wasCommandMode = document.activeElement === cell.root;
    const named = cellReference([this.labelOf(cell.id)]);
    this.removeCell(cell, true);
    this.record({ kind: "deleted", cell: kept, index }, `${named[0].toUpperCase()}${named.slice(1)} deleted`);
    const next = this.cells[Math.min(index, this.cells.length - 1)];
    if (next) {
      this.select(next);
      if (wasCommandMode) next.commandMode();
      else next.focus();
    }
    this.hooks.changed();
  }

  move(cell: CellView, delta: -1 | 1): void {
    const from = this.cells.indexOf(cell);
    const to = from + delta;
    if (to < 0 || to >= this.cells.length) return;
    this.place(cell, to);
    this.record({ kind: "moved", id: cell.id, from }, null);
  }

  private place(cell: CellView, to: number): void {
    this.cells.splice(this.cells.indexOf(cell), 1);
    this.cells.splice(to, 0, cell);
    const after = this.cells[to + 1];
    this.element.insertBefore(cell.root, after ? after.root : null);
    this.kernel.send({ type: "move_cell", cell_id: cell.id, index: to });
    this.scheduleRelabel(); // positions changed
    this.hooks.changed();
    this.hooks.analysed();
  }

  duplicate(cell: CellView): void {
    this.flushUpdate(cell);
    const index = this.cells.indexOf(cell) + 1;
    const copy = this.insert(
      { name: newCellName(this.byId.keys()), code: cell.getCode(), kind: cell.kind, config: cell.config },
      index,
      true,
    );
    this.record({ kind: "added", id: copy.id }, null);
    copy.focus();
    this.hooks.changed();
  }

  select(cell: CellView): void {
    if (this.selectedCell === cell) return;
    this.selectedCell?.setSelected(false);
    this.selectedCell = cell;
    cell.setSelected(true);
    this.hooks.selected(cell);
  }

  edited(cell: CellView): void {
    if (cell.kind === "markdown") this.scheduleRelabel(); // its label is its heading
    window.clearTimeout(this.pendingUpdates.get(cell.id));
    this.pendingUpdates.set(cell.id, window.setTimeout(() => this.flushUpdate(cell), UPDATE_DELAY_MS));
    this.hooks.changed();
  }

  save(): void {
    this.flushUpdates();
    this.hooks.save();
  }

  answerInput(cell: CellView, line: string | null): void {
    this.kernel.send(line === null ? { type: "input_reply", cell_id: cell.id, eof: true } : { type: "input_reply", cell_id: cell.id, text: line });
  }

  notebookNames(): Iterable<string> {
    return notebookNames(this.analyses);
  }

  /** What people call the cell: the names it defines, its heading or its position (labels.ts). */
  labelOf(cellId: string): string {
    if (this.relabelTimer) this.relabel();
    return this.labels.get(cellId) ?? cellId;
  }

  goTo(cellId: string): void {
    const cell = this.byId.get(cellId);
    if (!cell) return;
    this.select(cell);
    cell.commandMode();
    cell.root.scrollIntoView({ block: "nearest" });
  }

  private scheduleRelabel(): void {
    if (!this.relabelTimer) this.relabelTimer = window.setTimeout(() => this.relabel(), 0);
  }

  /** Recompute every label; headers, error links and (through `analysed`) the panels follow. */
  private relabel(): void {
    window.clearTimeout(this.relabelTimer);
    this.relabelTimer = 0;
    const labels = cellLabels(this.cells.map((c) => ({ kind: c.kind, code: c.getCode(), defs: this.analyses.get(c.id)?.defs ?? null })));
    const next = new Map(this.cells.map((c, index) => [c.id, labels[index]]));
    const changed = next.size !== this.labels.size || [...next].some(([id, label]) => this.labels.get(id) !== label);
    this.labels = next;
    const labelOf = (id: string) => next.get(id) ?? id;
    // Every view, even when no label changed: a cell re-created under its id (convert, undo) starts blank.
    for (const cell of this.cells) cell.setLabel(labelOf(cell.id));
    if (!changed) return;
    for (const cell of this.cells) cell.relabelLinks(labelOf);
    this.hooks.analysed();
  }

  // -- kernel events ------------------------------------------------------------

  private handle(event: KernelEvent): void {
    if (event.type === "protocol_error" && event.command === "set_ui_value") uiValueRefused(event.message, event.object_id ?? null);
    if (!("cell_id" in event)) return;
    const cell = this.byId.get(event.cell_id);
    if (!cell) return;
    switch (event.type) {
      case "cell_status":
        cell.setStatus(event.status);
        break;
      case "cell_analysis":
        this.analyses.set(cell.id, { defs: event.defs, refs: event.refs });
        this.scheduleRelabel();
        this.hooks.analysed();
        break;
      case "stream":
        cell.appendStream(event.name, event.text);
        break;
      case "stream_truncated":
        cell.streamTruncated(event);
        break;
      case "input_request":
        cell.askInput(event.prompt, event.password);
        break;
      case "output":
        cell.showOutput(event.data);
        break;
      case "cell_error":
        cell.showError(event);
        break;
    }
  }

  // -- helpers ------------------------------------------------------------------

  private insert(source: NotebookCell, index: number, announce: boolean): CellView {
    const cell = new CellView({
      id: source.name,
      kind: source.kind,
      code: source.code,
      config: source.config,
      readOnly: this.readOnly,
      actions: this,
    });
    const before = this.cells[index];
    this.cells.splice(index, 0, cell);
    this.byId.set(cell.id, cell);
    this.element.insertBefore(cell.root, before ? before.root : null);
    this.kernel.send({
      type: "create_cell",
      cell_id: cell.id,
      code: source.code,
      kind: source.kind,
      config: { ...source.config },
      index: announce && index < this.cells.length - 1 ? index : null,
    });
    this.scheduleRelabel();
    return cell;
  }

  private removeCell(cell: CellView, announce: boolean): void {
    window.clearTimeout(this.pendingUpdates.get(cell.id));
    this.pendingUpdates.delete(cell.id);
    this.cells.splice(this.cells.indexOf(cell), 1);
    this.byId.delete(cell.id);
    this.analyses.delete(cell.id);
    cell.destroy();
    forgetDetachedFrames();
    this.kernel.send({ type: "delete_cell", cell_id: cell.id });
    if (this.selectedCell === cell) {
      this.selectedCell = null;
      this.hooks.selected(null);
    }
    this.scheduleRelabel();
    if (announce) this.hooks.analysed();
  }

  private flushUpdate(cell: CellView): void {
    window.clearTimeout(this.pendingUpdates.get(cell.id));
    this.pendingUpdates.delete(cell.id);
    const code = cell.getCode();
    if (code === cell.sentCode) return;
    cell.sentCode = code;
    // Notices were about the old code's imports; the next run says anew.
    cell.setPackageNotice("info", "");
    this.kernel.send({ type: "update_cell", cell_id: cell.id, code });
  }

  private flushUpdates(): void {
    for (const cell of this.cells) this.flushUpdate(cell);
  }
}
