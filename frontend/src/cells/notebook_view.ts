// The notebook on the page: the ordered cells, the commands user actions
// become, and the kernel events routed back to the cells. Reactivity is the
// kernel's; this only sends commands and shows events (docs/protocol.md).

import type { KernelClient } from "../kernel/client";
import type { CellConfig, CellKind, KernelEvent, NotebookCell, NotebookFile } from "../kernel/messages";
import { forgetDetachedFrames } from "../outputs/frame";
import { setUiSender, uiValueRefused } from "../outputs/widgets";
import { CellView, type CellActions } from "./cell_view";
import { type Analysis, notebookNames } from "./links";
import { newCellName } from "./names";

/** How long typing pauses before the kernel hears about the edit (marks the cell stale). */
const UPDATE_DELAY_MS = 600;
const DEFAULT_CONFIG: CellConfig = { disabled: false, hide_code: false };

export interface NotebookHooks {
  /** The notebook's content changed (autosave). */
  changed(): void;
  save(): void;
  selected(cell: CellView | null): void;
  /** Analyses changed: links of the selected cell may differ. */
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
  private readonly kernel: KernelClient;
  private readonly readOnly: boolean;
  private readonly hooks: NotebookHooks;

  constructor(options: { kernel: KernelClient; readOnly: boolean; hooks: NotebookHooks }) {
    this.kernel = options.kernel;
    setUiSender((object_id, value) => this.kernel.send({ type: "set_ui_value", object_id, value }));
    this.readOnly = options.readOnly;
    this.hooks = options.hooks;
    this.element = document.createElement("div");
    this.element.className = "cells";
    this.kernel.subscribe({
      event: (event) => this.handle(event),
      packageNotice: (cellId, level, text) => this.byId.get(cellId)?.setPackageNotice(level, text),
    });
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

  addCell(kind: CellKind): CellView {
    const index = this.cells.length;
    const cell = this.insert({ name: newCellName(this.byId.keys()), code: "", kind, config: DEFAULT_CONFIG }, index, true);
    cell.focus();
    this.hooks.changed();
    return cell;
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

  remove(cell: CellView): void {
    const index = this.cells.indexOf(cell);
    this.removeCell(cell, true);
    const next = this.cells[Math.min(index, this.cells.length - 1)];
    if (next) next.focus();
    this.hooks.changed();
  }

  move(cell: CellView, delta: -1 | 1): void {
    const from = this.cells.indexOf(cell);
    const to = from + delta;
    if (to < 0 || to >= this.cells.length) return;
    this.cells.splice(from, 1);
    this.cells.splice(to, 0, cell);
    const after = this.cells[to + 1];
    this.element.insertBefore(cell.root, after ? after.root : null);
    this.kernel.send({ type: "move_cell", cell_id: cell.id, index: to });
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
        this.hooks.analysed();
        break;
      case "stream":
        cell.appendStream(event.name, event.text);
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
