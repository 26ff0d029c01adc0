// One cell on the page: its editor (or rendered markdown), status, actions,
// outputs, streams and errors. It only shows things and reports user actions;
// notebook_view.ts decides which commands they become.

import { actionButton as button } from "../buttons";
import { createEditor, type CellEditor } from "../editor/editor";
import type { CellConfig, CellErrorKind, CellKind, CellStatusName, KernelEvent, MimeBundle } from "../kernel/messages";
import { inputBox } from "../outputs/input_box";
import { hardenLinks, markdownToSafeHtml } from "../outputs/markdown";
import { renderMimeBundle } from "../outputs/mimebundle";

export interface CellActions {
  run(cell: CellView): void;
  remove(cell: CellView): void;
  move(cell: CellView, delta: -1 | 1): void;
  duplicate(cell: CellView): void;
  select(cell: CellView): void;
  edited(cell: CellView): void;
  /** The answer to the cell's input(): a line, or null for end of input. */
  answerInput(cell: CellView, line: string | null): void;
  save(): void;
  notebookNames(): Iterable<string>;
}

const STATUS_TEXT: Record<CellStatusName, string> = {
  queued: "queued",
  running: "running…",
  idle: "",
  stale: "stale",
  disabled: "disabled",
  errored: "error",
};

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
  private readonly stdout: HTMLElement;
  private readonly stderr: HTMLElement;
  private readonly error: HTMLElement;
  private input: HTMLInputElement | null = null;

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
      "aria-label": `${this.kind === "code" ? "code" : "markdown"} cell ${this.id}`,
    });
    this.root.addEventListener("focusin", () => this.actions.select(this));
    this.root.addEventListener("mousedown", () => this.actions.select(this));

    const header = element("div", { class: "cell-header" });
    header.append(element("span", { class: "cell-name", title: "cell name" }, this.id));
    this.statusBadge = element("span", { class: "cell-status", "aria-live": "polite" });
    header.append(this.statusBadge);
    if (!this.readOnly) {
      const tools = element("div", { class: "cell-actions", role: "toolbar", "aria-label": `actions of cell ${this.id}` });
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
    this.stdout = element("pre", { class: "cell-stdout", "data-testid": "cell-stdout", hidden: "" });
    this.stderr = element("pre", { class: "cell-stderr", "data-testid": "cell-stderr", hidden: "" });
    this.error = element("div", { class: "cell-error", "data-testid": "cell-error", role: "alert", hidden: "" });

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
    this.root.append(this.notice, this.stdout, this.stderr, this.output, this.error);
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
    this.status = status;
    this.root.dataset.status = status;
    this.statusBadge.textContent = STATUS_TEXT[status];
    if (status === "running") this.clearOutputs();
    // The cell ended or was interrupted: nothing waits for an answer any more.
    else this.endInput();
  }

  clearOutputs(): void {
    this.endInput();
    this.output.replaceChildren();
    for (const pane of [this.stdout, this.stderr, this.error]) {
      pane.replaceChildren();
      pane.hidden = true;
    }
  }

  appendStream(name: "stdout" | "stderr", text: string): void {
    const pane = name === "stdout" ? this.stdout : this.stderr;
    pane.append(text);
    pane.hidden = false;
  }

  /** The cell waits in input(): a box at the end of its stdout, after the prompt it printed. */
  askInput(prompt: string, password: boolean): void {
    this.endInput();
    const box = inputBox({
      prompt,
      password,
      cellName: this.id,
      answer: (line) => {
        this.input = null;
        this.actions.answerInput(this, line);
      },
    });
    this.input = box;
    this.stdout.append(box);
    this.stdout.hidden = false;
    box.focus();
  }

  private endInput(): void {
    this.input?.remove();
    this.input = null;
  }

  showOutput(data: MimeBundle): void {
    const rendered = renderMimeBundle(data, this.id);
    this.output.replaceChildren(...(rendered ? [rendered] : []));
  }

  showError(event: Extract<KernelEvent, { type: "cell_error" }>): void {
    const message = element("div", { class: "error-message" }, errorHeadline(event.kind, event.message, event.line));
    this.error.replaceChildren(message);
    if (event.traceback) this.error.append(element("pre", { class: "traceback" }, event.traceback));
    this.error.hidden = false;
  }

  /** What happened to this cell's imports (installing, installed, or why not). */
  setPackageNotice(level: "progress" | "info" | "error", text: string): void {
    this.notice.textContent = text;
    this.notice.dataset.level = level;
    this.notice.hidden = !text;
  }

  destroy(): void {
    this.editor?.destroy();
    this.root.remove();
  }
}

function errorHeadline(kind: CellErrorKind, message: string, line: number | null): string {
  const where = line !== null && (kind === "syntax" || kind === "exception") ? ` (line ${line})` : "";
  return `${message}${where}`;
}
