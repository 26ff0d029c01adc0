// One cell on the page: its editor (or rendered markdown), status, actions,
// outputs, streams and errors. It only shows things and reports user actions;
// notebook_view.ts decides which commands they become.
//
// Streams are drawn by outputs/stream_pane.ts (batched per animation frame,
// capped at STREAM_SHOWN_LINES lines). Output the cell did not produce in its
// latest run (an ancestor failed, the cell cannot run, is disabled, or was left
// stale by an edit or a stopped run) stays on screen dimmed under a "stale: not
// re-run since ..." label, until the cell runs again.

import { actionButton as button, cellLinkButton } from "../buttons";
import type { EditorView } from "@codemirror/view";
import { createEditor, type CellEditor } from "../editor/editor";
import { showErrorAt } from "../editor/error_squiggle";
import type { CellConfig, CellErrorKind, CellKind, CellStatusName, KernelEvent, MimeBundle } from "../kernel/messages";
import { inputBox } from "../outputs/input_box";
import { hardenLinks, markdownToSafeHtml } from "../outputs/markdown";
import { renderMimeBundle } from "../outputs/mimebundle";
import { StreamPane } from "../outputs/stream_pane";
import { cellReference } from "./labels";

export interface CellActions {
  run(cell: CellView): void;
  /** Alt-Enter: run, then a new code cell below, being edited. */
  runAndInsert(cell: CellView): void;
  remove(cell: CellView): void;
  move(cell: CellView, delta: -1 | 1): void;
  duplicate(cell: CellView): void;
  select(cell: CellView): void;
  edited(cell: CellView): void;
  /** The answer to the cell's input(): a line, or null for end of input. */
  answerInput(cell: CellView, line: string | null): void;
  save(): void;
  notebookNames(): Iterable<string>;
  /** What people call a cell (labels.ts), for the cells an error names. */
  labelOf(cellId: string): string;
  /** Show and select another cell (a link in an error). */
  goTo(cellId: string): void;
}

const STATUS_TEXT: Record<CellStatusName, string> = {
  queued: "queued",
  running: "running…",
  idle: "",
  stale: "stale",
  disabled: "disabled",
  errored: "error",
};

/** Why the outputs on screen are not from the cell's latest run. */
type StaleReason = "ancestor-failed" | "cannot-run" | "disabled" | "not-run";

/** cell_error kinds sent for a cell that did not run (its code never started). */
const NOT_RUN_ERRORS: ReadonlySet<CellErrorKind> = new Set(["ancestor-failed", "syntax", "import-star", "multiple-definitions", "cycle"]);

let staleLabelIds = 0;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export class CellView {
  readonly id: string;
  readonly kind: CellKind;
  config: CellConfig;
  status: CellStatusName = "idle";
  /** The code the kernel has (the last create/update we sent). */
  sentCode: string;
  readonly root: HTMLElement;
  private readonly actions: CellActions;
  private readonly readOnly: boolean;
  private editor: CellEditor | null = null;
  private code: string;
  private readonly editorHost: HTMLElement;
  private readonly rendered: HTMLElement | null;
  private readonly statusBadge: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly output: HTMLElement;
  private readonly stdout: StreamPane;
  private readonly stderr: StreamPane;
  private readonly error: HTMLElement;
  private readonly staleLabel: HTMLElement;
  private readonly nameTag: HTMLElement;
  private readonly tools: HTMLElement | null = null;
  /** What the page calls this cell (labels.ts); set by the notebook as analyses arrive. */
  label = "";
  /** When the run that produced the outputs on screen started. */
  private ranAt: Date | null = null;
  /** Set by a cell_error saying the cell did not run; cleared when it runs. */
  private notRunReason: StaleReason | null = null;
  private staleReason: StaleReason | null = null;

  constructor(options: { id: string; kind: CellKind; code: string; config: CellConfig; readOnly: boolean; actions: CellActions }) {
    this.id = options.id;
    this.kind = options.kind;
    this.config = { ...options.config };
    this.code = options.code;
    this.sentCode = options.code;
    this.actions = options.actions;
    this.readOnly = options.readOnly;

    this.root = element("section", {
      class: `cell cell-${this.kind}`,
      "data-testid": "cell",
      "data-cell-id": this.id,
      "data-kind": this.kind,
      "data-status": "idle",
      "aria-label": `${this.kind === "code" ? "code" : "markdown"} cell`,
      // Focusable itself: command mode (Esc) keeps focus on the cell, not in its editor.
      tabindex: "-1",
    });
    this.root.addEventListener("focusin", () => this.actions.select(this));
    this.root.addEventListener("mousedown", () => this.actions.select(this));

    const header = element("div", { class: "cell-header" });
    // The label (what the cell defines, its heading or position); the id only as a tooltip.
    this.nameTag = element("span", { class: "cell-name", "data-testid": "cell-label", title: `cell id: ${this.id}` });
    header.append(this.nameTag);
    this.statusBadge = element("span", { class: "cell-status", "aria-live": "polite" });
    header.append(this.statusBadge);
    if (!this.readOnly) {
      const tools = element("div", { class: "cell-actions", role: "toolbar", "aria-label": "actions of the cell" });
      this.tools = tools;
      tools.append(
        button("run-cell", "▶", "Run this cell (Shift-Enter)", () => this.actions.run(this)),
        button("move-cell-up", "↑", "Move cell up", () => this.actions.move(this, -1)),
        button("move-cell-down", "↓", "Move cell down", () => this.actions.move(this, 1)),
        button("duplicate-cell", "❏", "Duplicate cell", () => this.actions.duplicate(this)),
        button("delete-cell", "✕", "Delete cell", () => this.actions.remove(this)),
      );
      header.append(tools);
    }
    this.root.append(header);

    this.editorHost = element("div", { class: "cell-editor", "data-testid": "cell-editor" });
    this.rendered = this.kind === "markdown" ? element("div", { class: "markdown-rendered", tabindex: this.readOnly ? "-1" : "0" }) : null;
    this.notice = element("div", { class: "cell-packages", "data-testid": "cell-packages", role: "status", hidden: "" });
    this.output = element("div", { class: "cell-output", "data-testid": "cell-output" });
    this.stdout = new StreamPane({ name: "stdout", testId: "cell-stdout", cellName: this.id });
    this.stderr = new StreamPane({ name: "stderr", testId: "cell-stderr", cellName: this.id });
    this.error = element("div", { class: "cell-error", "data-testid": "cell-error", role: "alert", hidden: "" });
    this.staleLabel = element("div", { class: "cell-stale-label", "data-testid": "cell-stale", id: `cell-stale-label-${++staleLabelIds}`, hidden: "" });

    if (this.rendered) {
      this.root.append(this.rendered);
      if (!this.readOnly) {
        const edit = () => this.editMarkdown();
        this.rendered.title = "Click or press Enter to edit";
        this.rendered.addEventListener("click", (event) => {
          if (!(event.target as HTMLElement).closest("a, summary")) edit(); // links and <details> toggles act themselves
        });
        this.rendered.addEventListener("keydown", (event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            edit();
          }
        });
      }
    }
    if (!this.readOnly) {
      this.root.append(this.editorHost);
      this.editor = createEditor(this.editorHost, this.kind, this.code, {
        run: () => this.actions.run(this),
        runAndInsert: () => this.actions.runAndInsert(this),
        escape: () => this.commandMode(),
        save: () => this.actions.save(),
        change: (code) => {
          this.code = code;
          this.actions.edited(this);
        },
        blur: () => {
          if (this.kind === "markdown") this.showMarkdown();
        },
        notebookNames: () => this.actions.notebookNames(),
      });
    }
    // Streams first: what a cell printed came before its final value.
    this.root.append(
      this.notice,
      this.staleLabel,
      this.stdout.element,
      this.stdout.footer,
      this.stderr.element,
      this.stderr.footer,
      this.output,
      this.error,
    );
    if (this.kind === "markdown") this.showMarkdown();
    this.applyConfig();
  }

  getCode(): string {
    return this.code;
  }

  focus(): void {
    if (this.kind === "markdown") this.editMarkdown();
    else this.editor?.focus();
  }

  /** The cell's CodeMirror view (none in the read-only app view). */
  get editorView(): EditorView | null {
    return this.editor?.view ?? null;
  }

  /** Show the editor without moving focus (a markdown cell otherwise shows its rendering). */
  revealEditor(): void {
    if (!this.rendered || this.readOnly) return;
    this.rendered.hidden = true;
    this.editorHost.hidden = false;
  }

  /** Command mode: the cell has focus, its editor does not (keys act on cells). */
  commandMode(): void {
    if (this.kind === "markdown") this.showMarkdown();
    this.root.focus();
  }

  setSelected(selected: boolean): void {
    this.root.classList.toggle("selected", selected);
  }

  /** Markdown cells: rendered text unless being edited. */
  showMarkdown(): void {
    if (!this.rendered) return;
    const text = this.code.trim();
    this.rendered.innerHTML = text ? markdownToSafeHtml(this.code) : "";
    if (!text) this.rendered.append(element("p", { class: "placeholder" }, this.readOnly ? "" : "Empty markdown cell: click to write"));
    hardenLinks(this.rendered);
    this.rendered.hidden = false;
    this.editorHost.hidden = true;
  }

  private editMarkdown(): void {
    if (!this.rendered || this.readOnly) return;
    this.rendered.hidden = true;
    this.editorHost.hidden = false;
    this.editor?.focus();
  }

  setConfig(config: CellConfig): void {
    this.config = { ...config };
    this.applyConfig();
  }

  private applyConfig(): void {
    this.root.classList.toggle("hide-code", this.config.hide_code);
    this.root.classList.toggle("config-disabled", this.config.disabled);
  }

  setStatus(status: CellStatusName): void {
    // A cell that settled shows everything it printed by the time its status says so.
    if (status !== "running") this.drawStreams();
    this.status = status;
    this.root.dataset.status = status;
    this.statusBadge.textContent = STATUS_TEXT[status];
    if (status === "running" || status === "idle") this.clearErrorPosition();
    if (status === "running") {
      this.clearOutputs();
      this.ranAt = new Date();
      this.notRunReason = null;
    }
    // The cell ended or was interrupted: nothing waits for an answer any more.
    else this.endInput();
    this.markStale(this.staleReasonFor(status));
  }

  clearOutputs(): void {
    this.endInput();
    this.output.replaceChildren();
    this.stdout.clear();
    this.stderr.clear();
    this.error.replaceChildren();
    this.error.hidden = true;
    this.markStale(null);
  }

  appendStream(name: "stdout" | "stderr", text: string): void {
    (name === "stdout" ? this.stdout : this.stderr).append(text);
  }

  /** The kernel's `stream_truncated`: what it did not send of one stream of this run. */
  streamTruncated(event: Extract<KernelEvent, { type: "stream_truncated" }>): void {
    (event.name === "stdout" ? this.stdout : this.stderr).setDropped(event.dropped_bytes, event.dropped_lines, event.limit_bytes);
  }

  private drawStreams(): void {
    this.stdout.drawNow();
    this.stderr.drawNow();
  }

  private staleReasonFor(status: CellStatusName): StaleReason | null {
    switch (status) {
      case "running":
      case "idle":
        return null;
      case "stale":
        return "not-run";
      case "disabled":
        return "disabled";
      case "errored":
        return this.notRunReason;
      case "queued":
        return this.staleReason;
    }
  }

  /** Dim and label the outputs on screen as not from the latest run (null: they are current). */
  private markStale(reason: StaleReason | null): void {
    const shown = this.stdout.hasContent || this.stderr.hasContent || this.output.childElementCount > 0;
    // The error box explains why the cell did not run; an older error is as stale as the rest.
    const staleError = !this.error.hidden && (reason === "not-run" || reason === "disabled");
    const marked = reason !== null && (shown || staleError);
    this.staleReason = reason;
    this.root.classList.toggle("outputs-stale", marked);
    this.error.classList.toggle("stale-error", marked && staleError);
    if (marked) this.root.dataset.stale = reason;
    else delete this.root.dataset.stale;
    this.staleLabel.hidden = !marked;
    for (const pane of [this.stdout.element, this.stderr.element, this.output]) {
      if (marked) pane.setAttribute("aria-describedby", this.staleLabel.id);
      else pane.removeAttribute("aria-describedby");
    }
    if (!marked || reason === null) return;
    const time = this.ranAt?.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const why: Record<StaleReason, string> = {
      "ancestor-failed": "a cell it reads from failed",
      "cannot-run": "the cell cannot run as it is",
      disabled: this.config.disabled ? "the cell is disabled" : "a cell it reads from is disabled",
      "not-run": "its code or inputs changed, or the run stopped before it",
    };
    this.staleLabel.textContent = `stale: not re-run${time ? ` since ${time}` : ""} (${why[reason]})`;
    this.staleLabel.title =
      `The output below is from ${time ? `the run at ${time}` : "an earlier run"} and may not match the code or values now; ` +
      "it is replaced when the cell runs again.";
  }

  /** The cell waits in input(): a box at the end of its stdout, after the prompt it printed. */
  askInput(prompt: string, password: boolean): void {
    this.endInput();
    const box = inputBox({
      prompt,
      password,
      cellName: this.reference(),
      answer: (line) => {
        this.stdout.endInput();
        this.actions.answerInput(this, line);
      },
    });
    this.stdout.appendInput(box);
    box.focus();
  }

  private endInput(): void {
    this.stdout.endInput();
  }

  showOutput(data: MimeBundle): void {
    const rendered = renderMimeBundle(data, this.reference());
    this.output.replaceChildren(...(rendered ? [rendered] : []));
  }

  showError(event: Extract<KernelEvent, { type: "cell_error" }>): void {
    this.drawStreams();
    // The app view shows outputs, not code: the exception and the cell's name, no traceback
    // (its lines are the cell's source, which a view link may be made to hide).
    const headline = errorHeadline(event.kind, event.message, event.line);
    const named = this.readOnly ? `${this.reference()}: ` : "";
    const message = element("div", { class: "error-message" }, `${named}${headline}`);
    this.error.replaceChildren(message);
    if (event.traceback && !this.readOnly) this.error.append(element("pre", { class: "traceback" }, event.traceback));
    this.showErrorPosition(event);
    if (event.cells.length && !this.readOnly) {
      // The cells the message names (by label), as links; `cells` holds their ids.
      const links = element("div", { class: "error-cells" }, "Go to: ");
      for (const id of event.cells) {
        const link = cellLinkButton(id, this.actions.labelOf(id));
        link.addEventListener("click", () => this.actions.goTo(id));
        links.append(link, " ");
      }
      this.error.append(links);
    }
    this.error.hidden = false;
    if (this.status !== "running" && NOT_RUN_ERRORS.has(event.kind)) {
      this.notRunReason = event.kind === "ancestor-failed" ? "ancestor-failed" : "cannot-run";
      this.markStale(this.notRunReason);
    }
  }

  /** The cell's label (labels.ts): its header, accessible names, and the links in its error. */
  setLabel(label: string): void {
    if (label === this.label) return;
    this.label = label;
    this.nameTag.textContent = label;
    const reference = cellReference([label]);
    this.root.setAttribute("aria-label", `${this.kind === "code" ? "code" : "markdown"} ${reference}`);
    this.tools?.setAttribute("aria-label", `actions of ${reference}`);
  }

  /** The cell in a phrase (`cell 'base'`, `cell 3`), current even before the notebook relabels. */
  private reference(): string {
    return cellReference([this.actions.labelOf(this.id)]);
  }

  /** Another cell's label changed: the links in this cell's error name it anew. */
  relabelLinks(labelOf: (cellId: string) => string): void {
    for (const link of this.error.querySelectorAll<HTMLElement>("[data-target-cell]")) {
      const label = labelOf(link.dataset.targetCell ?? "");
      link.textContent = label;
      link.title = `Go to ${cellReference([label])}`;
    }
  }

  /**
   * A syntax error's place: the line with a caret under the column below the
   * message, and a squiggle in the editor. The app view shows neither: it may
   * hide the source.
   */
  private showErrorPosition(event: Extract<KernelEvent, { type: "cell_error" }>): void {
    if (this.readOnly || event.line === null || !ERROR_POSITION_KINDS.has(event.kind)) return;
    const source = this.sentCode.split(/\r\n|\r|\n/)[event.line - 1];
    if (source !== undefined && source.trim()) {
      // The caret under the column (1-based, in characters); tabs kept so it lines up.
      const before = Array.from(source).slice(0, Math.max(0, (event.column ?? 1) - 1));
      const pad = before.map((char) => (char === "\t" ? "\t" : " ")).join("");
      this.error.append(element("pre", { class: "error-source", "data-testid": "cell-error-source" }, `${source}\n${pad}^`));
    }
    // The squiggle marks the code that ran: not once the text has changed since.
    if (this.editor && this.editor.getCode() === this.sentCode) {
      this.editor.view.dispatch({ effects: showErrorAt.of({ line: event.line, column: event.column, message: event.message }) });
    }
  }

  private clearErrorPosition(): void {
    this.editor?.view.dispatch({ effects: showErrorAt.of(null) });
  }

  /** What happened to this cell's imports (installing, installed, or why not). */
  setPackageNotice(level: "progress" | "info" | "error", text: string): void {
    this.notice.textContent = text;
    this.notice.dataset.level = level;
    this.notice.hidden = !text;
  }

  destroy(): void {
    this.stdout.clear();
    this.stderr.clear();
    this.editor?.destroy();
    this.root.remove();
  }
}

/** cell_error kinds whose `line` and `column` point into the cell's code. */
const ERROR_POSITION_KINDS: ReadonlySet<CellErrorKind> = new Set(["syntax", "import-star"]);

function errorHeadline(kind: CellErrorKind, message: string, line: number | null): string {
  // A syntax error's message says its line (and column) itself; an exception's does not.
  const where = line !== null && kind === "exception" ? ` (line ${line})` : "";
  return `${message}${where}`;
}
