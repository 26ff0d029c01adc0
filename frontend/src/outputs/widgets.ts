// Live UI elements (docs/ui.md, "Wire format"): the spec carried by an
// `application/vnd.playground.ui+json` bundle becomes native, accessible
// controls in the page itself. Everything is built from data with
// createElement/textContent; no spec string ever reaches innerHTML (the one
// exception, `markdown`, goes through the same DOMPurify path as markdown
// cells, markdown.ts). Interacting sends `set_ui_value`; widgets showing the
// same element (same id) in several outputs are kept in sync locally.

import type { MimeBundle } from "../kernel/messages";
import { hardenLinks, htmlWithElementsToSafeHtml, markdownWithElementsToSafeHtml } from "./markdown";
import { renderMimeBundle } from "./mimebundle";

export const UI_MIME = "application/vnd.playground.ui+json";

export interface UiSpec {
  id: string;
  kind: string;
  label: string;
  value: unknown;
  props: Record<string, unknown>;
}

/** Where a widget's changes go: the kernel, or (inside a form) the form's local state. */
interface Sink {
  local: boolean;
  send(id: string, value: unknown): void;
}

interface Widget {
  spec: UiSpec;
  root: HTMLElement;
  /** The wire value the widget shows now. */
  get(): unknown;
  /** Show a wire value (from another widget with the same id, or a restore). */
  set(value: unknown): void;
  error: HTMLElement;
}

// ------------------------------------------------------------------ sending

let sender: ((id: string, value: unknown) => void) | null = null;
const live = new Map<string, Set<Widget>>();

/** notebook_view.ts: how set_ui_value reaches the kernel. */
export function setUiSender(send: (id: string, value: unknown) => void): void {
  sender = send;
}

const kernelSink: Sink = {
  local: false,
  send(id, value) {
    sender?.(id, value);
  },
};

function register(widget: Widget): void {
  let set = live.get(widget.spec.id);
  if (!set) live.set(widget.spec.id, (set = new Set()));
  set.add(widget);
}

/** The widget changed by the user: send, clear its error, update its twins. */
function changed(widget: Widget, sink: Sink, value: unknown, sync = true): void {
  widget.error.hidden = true;
  sink.send(widget.spec.id, value);
  if (sink.local || !sync) return;
  const twins = live.get(widget.spec.id);
  if (!twins) return;
  for (const other of [...twins]) {
    if (other === widget) continue;
    if (!other.root.isConnected) twins.delete(other);
    else other.set(value);
  }
}

/** A protocol_error for set_ui_value: show it next to the refused element's widgets, and restore them. */
export function uiValueRefused(message: string, objectId: string | null): void {
  if (objectId === null) return;
  for (const widget of live.get(objectId) ?? []) {
    if (!widget.root.isConnected) continue;
    widget.error.textContent = message;
    widget.error.hidden = false;
    widget.set(widget.spec.value);
  }
}

// ------------------------------------------------------------------ helpers

let counter = 0;
function uid(prefix: string): string {
  counter += 1;
  return `pg-ui-${prefix}-${counter}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str) : [];
}

function nameOf(spec: UiSpec): string {
  return spec.label || spec.kind.replace("_", " ");
}

function shell(spec: UiSpec, tag: "div" | "fieldset" = "div"): { root: HTMLElement; error: HTMLElement } {
  const root = el(tag, { class: `ui-element ui-${spec.kind}`, "data-testid": "ui-element", "data-ui-kind": spec.kind, "data-ui-id": spec.id });
  const error = el("div", { class: "ui-error", role: "alert", hidden: "" });
  return { root, error };
}

function labelFor(spec: UiSpec, control: HTMLElement): HTMLLabelElement | null {
  if (!control.id) control.id = uid(spec.kind);
  if (!spec.label) {
    control.setAttribute("aria-label", nameOf(spec));
    return null;
  }
  const label = el("label", { class: "ui-label", for: control.id }, spec.label);
  return label;
}

function legend(spec: UiSpec, root: HTMLElement): void {
  if (spec.label) root.append(el("legend", { class: "ui-label" }, spec.label));
  else root.setAttribute("aria-label", nameOf(spec));
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

// ------------------------------------------------------------------ inputs

function slider(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = el("input", { type: "range", min: str(p.start), max: str(p.stop), step: p.step == null ? "any" : str(p.step) });
  input.value = str(spec.value);
  const shown = el("output", { class: "ui-value" }, formatNumber(num(spec.value, 0)));
  const label = labelFor(spec, input);
  shown.setAttribute("for", input.id);
  root.append(...(label ? [label] : []), input, shown, error);
  const widget: Widget = {
    spec, root, error,
    get: () => Number(input.value),
    set(value) {
      input.value = str(value);
      shown.textContent = formatNumber(Number(input.value));
    },
  };
  input.addEventListener("input", () => {
    shown.textContent = formatNumber(Number(input.value));
    changed(widget, sink, Number(input.value));
  });
  return widget;
}

function rangeSlider(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const p = spec.props;
  const make = (which: string) => {
    const input = el("input", { type: "range", min: str(p.start), max: str(p.stop), step: p.step == null ? "any" : str(p.step), "aria-label": `${nameOf(spec)}: ${which}` });
    return input;
  };
  const low = make("low");
  const high = make("high");
  const shown = el("output", { class: "ui-value" });
  const show = () => (shown.textContent = `${formatNumber(Number(low.value))} – ${formatNumber(Number(high.value))}`);
  const set = (value: unknown) => {
    const [a, b] = Array.isArray(value) ? value : [p.start, p.stop];
    low.value = str(a);
    high.value = str(b);
    show();
  };
  set(spec.value);
  root.append(low, high, shown, error);
  const widget: Widget = { spec, root, error, get: () => [Number(low.value), Number(high.value)], set };
  for (const [input, other, isLow] of [[low, high, true], [high, low, false]] as const) {
    input.addEventListener("input", () => {
      if (isLow ? Number(input.value) > Number(other.value) : Number(input.value) < Number(other.value)) input.value = other.value;
      show();
      changed(widget, sink, widget.get());
    });
  }
  return widget;
}

function numberInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = el("input", { type: "number", step: p.step == null ? "any" : str(p.step) });
  if (p.start != null) input.min = str(p.start);
  if (p.stop != null) input.max = str(p.stop);
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => Number(input.value), set: (v) => (input.value = str(v)) };
  let last = input.value;
  const send = () => {
    if (input.value === "" || !Number.isFinite(Number(input.value)) || input.value === last) return;
    last = input.value;
    changed(widget, sink, Number(input.value));
  };
  input.addEventListener("input", send);
  input.addEventListener("blur", send);
  return widget;
}

function textInput(spec: UiSpec, sink: Sink, area: boolean): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const input = area ? el("textarea", { rows: str(p.rows ?? 4) }) : el("input", { type: "text" });
  if (p.placeholder) input.setAttribute("placeholder", str(p.placeholder));
  if (typeof p.max_length === "number") input.setAttribute("maxlength", String(p.max_length));
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => input.value, set: (v) => (input.value = str(v)) };
  input.addEventListener("input", () => changed(widget, sink, input.value));
  return widget;
}

function checkbox(spec: UiSpec, sink: Sink, isSwitch: boolean): Widget {
  const { root, error } = shell(spec);
  const input = el("input", { type: "checkbox" });
  if (isSwitch) input.setAttribute("role", "switch");
  const set = (value: unknown) => {
    input.checked = value === true;
    if (isSwitch) input.setAttribute("aria-checked", String(input.checked));
  };
  set(spec.value);
  const label = labelFor(spec, input);
  root.append(input, ...(label ? [label] : []), error);
  const widget: Widget = { spec, root, error, get: () => input.checked, set };
  input.addEventListener("change", () => {
    if (isSwitch) input.setAttribute("aria-checked", String(input.checked));
    changed(widget, sink, input.checked);
  });
  return widget;
}

function dropdown(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const select = el("select");
  const none = el("option", { value: "" }, "—");
  select.append(none);
  const options = strings(spec.props.options);
  options.forEach((label, index) => select.append(el("option", { value: String(index) }, label)));
  const set = (value: unknown) => {
    const index = value === null ? -1 : options.indexOf(str(value));
    select.value = index < 0 ? "" : String(index);
  };
  set(spec.value);
  const label = labelFor(spec, select);
  root.append(...(label ? [label] : []), select, error);
  const get = () => (select.value === "" ? null : options[Number(select.value)]);
  const widget: Widget = { spec, root, error, get, set };
  select.addEventListener("change", () => changed(widget, sink, get()));
  return widget;
}

function radio(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  root.setAttribute("role", "radiogroup");
  legend(spec, root);
  if (spec.props.inline) root.classList.add("ui-inline");
  const name = uid("radio");
  const options = strings(spec.props.options);
  const inputs = options.map((label) => {
    const input = el("input", { type: "radio", name, value: label });
    const wrap = el("label", { class: "ui-option" });
    wrap.append(input, document.createTextNode(label));
    root.append(wrap);
    return input;
  });
  root.append(error);
  const set = (value: unknown) => inputs.forEach((input) => (input.checked = value !== null && input.value === str(value)));
  set(spec.value);
  const get = () => inputs.find((i) => i.checked)?.value ?? null;
  const widget: Widget = { spec, root, error, get, set };
  for (const input of inputs) input.addEventListener("change", () => changed(widget, sink, get()));
  return widget;
}

function multiselect(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const options = strings(spec.props.options);
  const max = typeof spec.props.max_selections === "number" ? spec.props.max_selections : null;
  const select = el("select", { multiple: "", size: String(Math.min(Math.max(options.length, 2), 8)) });
  options.forEach((label) => select.append(el("option", { value: label }, label)));
  const note = el("div", { class: "ui-note", role: "status" });
  let order: string[] = [];
  const set = (value: unknown) => {
    order = strings(value).filter((v) => options.includes(v));
    for (const option of select.options) option.selected = order.includes(option.value);
  };
  set(spec.value);
  const label = labelFor(spec, select);
  root.append(...(label ? [label] : []), select, note, error);
  const widget: Widget = { spec, root, error, get: () => [...order], set };
  select.addEventListener("change", () => {
    const chosen = [...select.selectedOptions].map((o) => o.value);
    const next = [...order.filter((v) => chosen.includes(v)), ...chosen.filter((v) => !order.includes(v))];
    if (max !== null && next.length > max) {
      note.textContent = `Choose at most ${max}.`;
      set(order);
      return;
    }
    note.textContent = "";
    order = next;
    changed(widget, sink, [...order]);
  });
  select.addEventListener("keydown", (event) => {
    if ((event.key === "Backspace" || event.key === "Delete") && select.selectedOptions.length) {
      event.preventDefault();
      const focused = select.options[select.selectedIndex]?.value;
      order = order.filter((v) => v !== focused);
      set(order);
      changed(widget, sink, [...order]);
    }
  });
  return widget;
}

function dateInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const input = el("input", { type: "date" });
  if (spec.props.start) input.min = str(spec.props.start);
  if (spec.props.stop) input.max = str(spec.props.stop);
  input.value = str(spec.value);
  const label = labelFor(spec, input);
  root.append(...(label ? [label] : []), input, error);
  const widget: Widget = { spec, root, error, get: () => input.value, set: (v) => (input.value = str(v)) };
  input.addEventListener("change", () => {
    if (input.value) changed(widget, sink, input.value);
  });
  return widget;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function accepts(file: File, accept: string[]): boolean {
  if (accept.length === 0) return true;
  const name = file.name.toLowerCase();
  return accept.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p.startsWith(".")) return name.endsWith(p);
    if (p.endsWith("/*")) return file.type.toLowerCase().startsWith(p.slice(0, -1));
    return file.type.toLowerCase() === p;
  });
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function fileInput(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const accept = strings(spec.props.accept);
  const maxSize = num(spec.props.max_size, 10 * 1024 * 1024);
  const input = el("input", { type: "file" });
  if (accept.length) input.accept = accept.join(",");
  input.multiple = spec.props.multiple === true;
  const label = labelFor(spec, input);
  const list = el("ul", { class: "ui-files" });
  const note = el("div", { class: "ui-note", role: "status" });
  let current: unknown[] = [];
  const set = (value: unknown) => {
    current = Array.isArray(value) ? value : [];
    list.replaceChildren(
      ...current.map((f) => {
        const file = (f ?? {}) as { name?: unknown; size?: unknown };
        return el("li", {}, `${str(file.name)} (${formatBytes(num(file.size, 0))})`);
      }),
    );
  };
  set(spec.value);
  root.append(...(label ? [label] : []), input, note, list, error);
  const widget: Widget = { spec, root, error, get: () => current, set };
  const take = async (files: File[]) => {
    if (files.length === 0) return;
    if (!input.multiple && files.length > 1) {
      note.textContent = "Choose one file only.";
      return;
    }
    const refused = files.filter((f) => !accepts(f, accept));
    if (refused.length) {
      note.textContent = `${refused.map((f) => f.name).join(", ")}: not an accepted type (${accept.join(", ")}).`;
      return;
    }
    const total = files.reduce((sum, f) => sum + f.size, 0);
    if (total > maxSize) {
      note.textContent = `The upload is ${formatBytes(total)}, over the limit of ${formatBytes(maxSize)}; raise max_size= to allow more.`;
      input.value = "";
      return;
    }
    note.textContent = "Reading…";
    const value = await Promise.all(
      files.map(async (f) => ({ name: f.name, type: f.type, size: f.size, contents: base64(new Uint8Array(await f.arrayBuffer())) })),
    );
    note.textContent = "";
    set(value.map(({ name, type, size }) => ({ name, type, size })));
    changed(widget, sink, value, false);
  };
  input.addEventListener("change", () => void take([...(input.files ?? [])]));
  root.addEventListener("dragover", (event) => event.preventDefault());
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    void take([...(event.dataTransfer?.files ?? [])]);
  });
  return widget;
}

function button(spec: UiSpec, sink: Sink, run: boolean): Widget {
  const { root, error } = shell(spec);
  const control = el("button", { type: "button", class: "ui-button" }, spec.label || (run ? "Run" : "Click"));
  root.append(control, error);
  const widget: Widget = { spec, root, error, get: () => (run ? true : null), set: () => undefined };
  control.addEventListener("click", () => changed(widget, sink, run ? true : null, false));
  return widget;
}

// ------------------------------------------------------------------ data

interface Column {
  name: string;
  type: string;
}

function columnsOf(spec: UiSpec): Column[] {
  return Array.isArray(spec.props.columns)
    ? (spec.props.columns as { name?: unknown; type?: unknown }[]).map((c) => ({ name: str(c.name), type: str(c.type) }))
    : [];
}

function rowsOf(spec: UiSpec): unknown[][] {
  return Array.isArray(spec.props.rows) ? (spec.props.rows as unknown[][]) : [];
}

function compare(a: unknown, b: unknown): number {
  // Missing values sort last either way (callers flip the rest).
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0;
}

function sortIndices(indices: number[], rows: unknown[][], keys: { col: number; descending: boolean }[]): number[] {
  return [...indices].sort((i, j) => {
    for (const { col, descending } of keys) {
      const a = rows[i][col];
      const b = rows[j][col];
      if (a === null && b === null) continue;
      if (a === null) return 1;
      if (b === null) return -1;
      const c = compare(a, b);
      if (c !== 0) return descending ? -c : c;
    }
    return i - j;
  });
}

function cell(value: unknown, type: string): HTMLTableCellElement {
  const td = el("td", { class: type === "number" ? "ui-num" : "" }, value === null ? "" : str(value));
  return td;
}

function pager(onMove: (delta: number) => void): { root: HTMLElement; update(page: number, pages: number): void } {
  const root = el("div", { class: "ui-pager" });
  const prev = el("button", { type: "button", "aria-label": "Previous page" }, "‹");
  const next = el("button", { type: "button", "aria-label": "Next page" }, "›");
  const status = el("span", { class: "ui-page", "aria-live": "polite" });
  prev.addEventListener("click", () => onMove(-1));
  next.addEventListener("click", () => onMove(1));
  root.append(prev, status, next);
  return {
    root,
    update(page, pages) {
      status.textContent = `page ${page + 1} of ${Math.max(pages, 1)}`;
      prev.disabled = page <= 0;
      next.disabled = page >= pages - 1;
      root.hidden = pages <= 1;
    },
  };
}

function table(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  if (spec.label) root.append(el("div", { class: "ui-label" }, spec.label));
  const columns = columnsOf(spec);
  const rows = rowsOf(spec);
  const mode = spec.props.selection === "single" || spec.props.selection === "multi" ? (spec.props.selection as string) : null;
  const pageSize = Math.max(1, num(spec.props.page_size, 10));
  let selected = new Set<number>();
  let sortKey: { col: number; descending: boolean } | null = null;
  let page = 0;
  const group = uid("table");
  const grid = el("table", { class: "ui-table", "aria-label": nameOf(spec) });
  const head = el("thead");
  const body = el("tbody");
  grid.append(head, body);
  const headRow = el("tr");
  if (mode) headRow.append(el("th", { scope: "col" }, mode === "multi" ? "✓" : ""));
  const headers = columns.map((column, col) => {
    const th = el("th", { scope: "col", "aria-sort": "none" });
    const sortButton = el("button", { type: "button", class: "ui-sort" }, column.name);
    sortButton.addEventListener("click", () => {
      sortKey = sortKey?.col === col ? (sortKey.descending ? null : { col, descending: true }) : { col, descending: false };
      page = 0;
      draw();
    });
    th.append(sortButton);
    headRow.append(th);
    return th;
  });
  head.append(headRow);
  const pages = pager((delta) => {
    page += delta;
    draw();
  });
  const footer = el("div", { class: "ui-note" });
  if (spec.props.truncated) footer.textContent = `showing ${rows.length} of ${str(spec.props.total_rows)} rows`;
  root.append(grid, pages.root, footer, error);
  const send = () => changed(widget, sink, [...selected].sort((a, b) => a - b));
  function draw(): void {
    headers.forEach((th, col) => th.setAttribute("aria-sort", sortKey?.col !== col ? "none" : sortKey.descending ? "descending" : "ascending"));
    const order = sortKey ? sortIndices(rows.map((_, i) => i), rows, [sortKey]) : rows.map((_, i) => i);
    const pageCount = Math.ceil(order.length / pageSize);
    page = Math.min(Math.max(page, 0), Math.max(pageCount - 1, 0));
    pages.update(page, pageCount);
    body.replaceChildren(
      ...order.slice(page * pageSize, (page + 1) * pageSize).map((index) => {
        const tr = el("tr", { "data-row": String(index) });
        if (mode) {
          const td = el("td");
          const box = el("input", { type: mode === "multi" ? "checkbox" : "radio", name: group, "aria-label": `select row ${index + 1}` });
          box.checked = selected.has(index);
          box.addEventListener("change", () => {
            if (mode === "single") selected = new Set(box.checked ? [index] : []);
            else if (box.checked) selected.add(index);
            else selected.delete(index);
            tr.classList.toggle("selected", box.checked);
            send();
          });
          td.append(box);
          tr.append(td);
          tr.classList.toggle("selected", box.checked);
        }
        columns.forEach((column, col) => tr.append(cell(rows[index]?.[col] ?? null, column.type)));
        return tr;
      }),
    );
  }
  const widget: Widget = {
    spec, root, error,
    get: () => [...selected].sort((a, b) => a - b),
    set(value) {
      selected = new Set(Array.isArray(value) ? value.filter((v): v is number => typeof v === "number") : []);
      draw();
    },
  };
  widget.set(spec.value);
  return widget;
}

interface Transform {
  filters: { column: string; op: string; value: unknown }[];
  sort: { column: string; descending: boolean }[];
  columns: string[];
}

function convert(value: unknown, type: string): unknown {
  if (value === null) return null;
  if (type === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  if (type === "boolean" && typeof value === "string") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

function matches(cellValue: unknown, op: string, raw: unknown, type: string): boolean {
  if (op === "==" || op === "!=") {
    if (raw === null) return op === "==" ? cellValue === null : cellValue !== null;
    if (cellValue === null) return false;
    const equal = compare(cellValue, convert(raw, type)) === 0;
    return op === "==" ? equal : !equal;
  }
  if (cellValue === null) return false;
  switch (op) {
    case "<": return compare(cellValue, convert(raw, type)) < 0;
    case "<=": return compare(cellValue, convert(raw, type)) <= 0;
    case ">": return compare(cellValue, convert(raw, type)) > 0;
    case ">=": return compare(cellValue, convert(raw, type)) >= 0;
    case "contains": return str(cellValue).includes(str(raw));
    case "in": return (Array.isArray(raw) ? raw : [raw]).some((v) => compare(cellValue, convert(v, type)) === 0);
    default: return true;
  }
}

function applyTransform(columns: Column[], rows: unknown[][], t: Transform): { columns: Column[]; rows: unknown[][] } {
  const index = new Map(columns.map((c, i) => [c.name, i]));
  let picked = rows.map((_, i) => i).filter((i) =>
    t.filters.every((f) => {
      const col = index.get(f.column);
      return col === undefined || matches(rows[i][col], f.op, f.value, columns[col].type);
    }),
  );
  const keys = t.sort.flatMap((s) => (index.has(s.column) ? [{ col: index.get(s.column)!, descending: s.descending }] : []));
  if (keys.length) picked = sortIndices(picked, rows, keys);
  const shown = t.columns.length ? t.columns.filter((c) => index.has(c)) : columns.map((c) => c.name);
  return {
    columns: shown.map((name) => columns[index.get(name)!]),
    rows: picked.map((i) => shown.map((name) => rows[i][index.get(name)!])),
  };
}

function transformOf(value: unknown): Transform {
  const v = (value ?? {}) as Partial<Transform>;
  return {
    filters: Array.isArray(v.filters) ? v.filters.map((f) => ({ ...f })) : [],
    sort: Array.isArray(v.sort) ? v.sort.map((s) => ({ ...s })) : [],
    columns: Array.isArray(v.columns) ? [...v.columns] : [],
  };
}

function dataframe(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  if (spec.label) root.append(el("div", { class: "ui-label" }, spec.label));
  const columns = columnsOf(spec);
  const rows = rowsOf(spec);
  const operators = strings(spec.props.operators).length ? strings(spec.props.operators) : ["==", "!=", "<", "<=", ">", ">=", "contains", "in"];
  const pageSize = Math.max(1, num(spec.props.page_size, 10));
  let transform = transformOf(spec.value);
  let page = 0;

  const controls = el("div", { class: "ui-df-controls" });
  const columnSelect = (label: string) => {
    const select = el("select", { "aria-label": label });
    for (const c of columns) select.append(el("option", { value: c.name }, c.name));
    return select;
  };
  // Filters
  const filterBox = el("fieldset", { class: "ui-df-filters" });
  filterBox.append(el("legend", {}, "Filters"));
  const filterList = el("ul");
  const fColumn = columnSelect("Filter column");
  const fOp = el("select", { "aria-label": "Filter operator" });
  for (const op of operators) fOp.append(el("option", { value: op }, op));
  const fValue = el("input", { type: "text", "aria-label": "Filter value", placeholder: "value (in: a, b, c)" });
  const fAdd = el("button", { type: "button" }, "Add filter");
  filterBox.append(filterList, fColumn, fOp, fValue, fAdd);
  // Sort
  const sortBox = el("fieldset", { class: "ui-df-sort" });
  sortBox.append(el("legend", {}, "Sort"));
  const sColumn = el("select", { "aria-label": "Sort by" });
  sColumn.append(el("option", { value: "" }, "(none)"));
  for (const c of columns) sColumn.append(el("option", { value: c.name }, c.name));
  const sDesc = el("input", { type: "checkbox", id: uid("desc") });
  const sDescLabel = el("label", { for: sDesc.id }, "descending");
  sortBox.append(sColumn, sDesc, sDescLabel);
  // Columns
  const colBox = el("fieldset", { class: "ui-df-columns" });
  colBox.append(el("legend", {}, "Columns"));
  const colChecks = columns.map((c) => {
    const box = el("input", { type: "checkbox", value: c.name });
    const wrap = el("label", { class: "ui-option" });
    wrap.append(box, document.createTextNode(c.name));
    colBox.append(wrap);
    return box;
  });
  controls.append(filterBox, sortBox, colBox);

  const preview = el("table", { class: "ui-table", "aria-label": `${nameOf(spec)} preview` });
  const pages = pager((delta) => {
    page += delta;
    drawPreview();
  });
  const summary = el("div", { class: "ui-note", role: "status" });
  root.append(controls, preview, pages.root, summary, error);

  function drawControls(): void {
    filterList.replaceChildren(
      ...transform.filters.map((f, i) => {
        const li = el("li", {}, `${f.column} ${f.op} ${JSON.stringify(f.value)} `);
        const remove = el("button", { type: "button", "aria-label": `Remove filter ${f.column} ${f.op}` }, "✕");
        remove.addEventListener("click", () => {
          transform.filters.splice(i, 1);
          update();
        });
        li.append(remove);
        return li;
      }),
    );
    const first = transform.sort[0];
    sColumn.value = first ? first.column : "";
    sDesc.checked = first ? first.descending : false;
    colChecks.forEach((box) => (box.checked = transform.columns.length === 0 || transform.columns.includes(box.value)));
  }
  function drawPreview(): void {
    const result = applyTransform(columns, rows, transform);
    const pageCount = Math.ceil(result.rows.length / pageSize);
    page = Math.min(Math.max(page, 0), Math.max(pageCount - 1, 0));
    pages.update(page, pageCount);
    const head = el("thead");
    const tr = el("tr");
    for (const c of result.columns) tr.append(el("th", { scope: "col" }, c.name));
    head.append(tr);
    const body = el("tbody");
    for (const row of result.rows.slice(page * pageSize, (page + 1) * pageSize)) {
      const r = el("tr");
      row.forEach((v, i) => r.append(cell(v, result.columns[i].type)));
      body.append(r);
    }
    preview.replaceChildren(head, body);
    summary.textContent = `${result.rows.length} of ${rows.length} rows` + (spec.props.truncated ? ` (preview of the first ${rows.length}; ${str(spec.props.total_rows)} in all)` : "");
  }
  function update(): void {
    page = 0;
    drawControls();
    drawPreview();
    changed(widget, sink, transformOf(transform));
  }
  fAdd.addEventListener("click", () => {
    const op = fOp.value;
    const text = fValue.value;
    const value: unknown = op === "in" ? text.split(",").map((s) => s.trim()).filter(Boolean) : text === "" && (op === "==" || op === "!=") ? null : text;
    transform.filters.push({ column: fColumn.value, op, value });
    fValue.value = "";
    update();
  });
  const sortChanged = () => {
    transform.sort = sColumn.value ? [{ column: sColumn.value, descending: sDesc.checked }] : [];
    update();
  };
  sColumn.addEventListener("change", sortChanged);
  sDesc.addEventListener("change", sortChanged);
  for (const box of colChecks)
    box.addEventListener("change", () => {
      const chosen = colChecks.filter((b) => b.checked).map((b) => b.value);
      transform.columns = chosen.length === columns.length ? [] : chosen;
      update();
    });

  const widget: Widget = {
    spec, root, error,
    get: () => transformOf(transform),
    set(value) {
      transform = transformOf(value);
      drawControls();
      drawPreview();
    },
  };
  widget.set(spec.value);
  return widget;
}

// ------------------------------------------------------------------ containers

function childSpecs(value: unknown): UiSpec[] {
  return Array.isArray(value) ? (value as UiSpec[]) : [];
}

function array(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const children = childSpecs(spec.props.elements).map((child) => build(child, sink));
  root.append(...children.map((c) => c.root), error);
  return {
    spec, root, error,
    get: () => children.map((c) => c.get()),
    set(value) {
      if (Array.isArray(value)) children.forEach((c, i) => i < value.length && c.set(value[i]));
    },
  };
}

function dictionary(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec, "fieldset");
  legend(spec, root);
  const entries = (Array.isArray(spec.props.elements) ? (spec.props.elements as { key?: unknown; element?: UiSpec }[]) : [])
    .filter((e) => e.element)
    .map((e) => ({ key: str(e.key), widget: build(e.element!, sink) }));
  root.append(...entries.map((e) => e.widget.root), error);
  return {
    spec, root, error,
    get: () => Object.fromEntries(entries.map((e) => [e.key, e.widget.get()])),
    set(value) {
      if (value && typeof value === "object") {
        const v = value as Record<string, unknown>;
        for (const e of entries) if (e.key in v) e.widget.set(v[e.key]);
      }
    },
  };
}

function form(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const formEl = el("form", { class: "ui-form", "aria-label": nameOf(spec) });
  if (spec.label) formEl.append(el("div", { class: "ui-label" }, spec.label));
  const local: Sink = { local: true, send: () => undefined };
  const innerSpec = spec.props.element as UiSpec | undefined;
  const inner = innerSpec ? build(innerSpec, local) : null;
  const submit = el("button", { type: "submit", class: "ui-button ui-submit" }, str(spec.props.submit_label) || "Submit");
  formEl.append(...(inner ? [inner.root] : []), submit);
  root.append(formEl, error);
  const widget: Widget = {
    spec, root, error,
    get: () => (inner ? inner.get() : null),
    set(value) {
      if (value !== null && inner) inner.set(value);
    },
  };
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    changed(widget, sink, inner ? inner.get() : null);
  });
  return widget;
}

function bundles(value: unknown): MimeBundle[] {
  return Array.isArray(value) ? (value as MimeBundle[]) : [];
}

function renderBundle(bundle: unknown, name: string, sink: Sink): HTMLElement {
  const b = (bundle ?? {}) as MimeBundle;
  // Inside a form, nested elements stay local too.
  if (sink.local && b[UI_MIME] && typeof b[UI_MIME] === "object") return build(b[UI_MIME] as UiSpec, sink).root;
  return renderMimeBundle(b, name) ?? el("div");
}

function stack(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const row = p.direction === "row" || spec.kind === "hstack";
  const flexAlign: Record<string, string> = { start: "flex-start", end: "flex-end", center: "center", stretch: "stretch" };
  const flexJustify: Record<string, string> = { start: "flex-start", end: "flex-end", center: "center", "space-between": "space-between", "space-around": "space-around" };
  root.style.display = "flex";
  root.style.flexDirection = row ? "row" : "column";
  root.style.gap = `${num(p.gap, 0.5)}rem`;
  root.style.alignItems = flexAlign[str(p.align)] ?? "stretch";
  root.style.justifyContent = flexJustify[str(p.justify)] ?? "flex-start";
  root.style.flexWrap = p.wrap ? "wrap" : "nowrap";
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  // Relative sizes along the stack (marimo's widths/heights), or natural sizes.
  const sizes = Array.isArray(p.sizes) ? (p.sizes as unknown[]).map((s) => num(s, 1)) : [];
  bundles(p.items).forEach((item, index) => {
    const wrap = el("div", { class: "ui-stack-item" });
    if (sizes.length) {
      wrap.style.flex = `${sizes[index] ?? 1} 1 0`;
      wrap.style.minWidth = "0";
    }
    wrap.append(renderBundle(item, spec.label || spec.kind, sink));
    root.append(wrap);
  });
  root.append(error);
  return { spec, root, error, get: () => null, set: () => undefined };
}

function tabs(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  const items = (Array.isArray(spec.props.tabs) ? (spec.props.tabs as { label?: unknown; content?: unknown }[]) : []).map((t) => ({ label: str(t.label), content: t.content }));
  const list = el("div", { role: "tablist", "aria-label": nameOf(spec) });
  const panels: HTMLElement[] = [];
  const buttons = items.map((item) => {
    const tab = el("button", { type: "button", role: "tab", id: uid("tab") }, item.label);
    const panel = el("div", { role: "tabpanel", id: uid("panel"), "aria-labelledby": tab.id, tabindex: "0" });
    tab.setAttribute("aria-controls", panel.id);
    panel.append(renderBundle(item.content, item.label, sink));
    panels.push(panel);
    list.append(tab);
    return tab;
  });
  root.append(list, ...panels, error);
  let current = "";
  const set = (value: unknown) => {
    const index = Math.max(0, items.findIndex((i) => i.label === str(value)));
    current = items[index]?.label ?? "";
    buttons.forEach((b, i) => {
      b.setAttribute("aria-selected", String(i === index));
      b.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
  };
  set(spec.value);
  const widget: Widget = { spec, root, error, get: () => current, set };
  const choose = (index: number, focus: boolean) => {
    set(items[index].label);
    if (focus) buttons[index].focus();
    changed(widget, sink, items[index].label);
  };
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => choose(i, false));
    b.addEventListener("keydown", (event) => {
      const n = buttons.length;
      const to = event.key === "ArrowRight" ? (i + 1) % n : event.key === "ArrowLeft" ? (i - 1 + n) % n : event.key === "Home" ? 0 : event.key === "End" ? n - 1 : -1;
      if (to >= 0) {
        event.preventDefault();
        choose(to, true);
      }
    });
  });
  return widget;
}

function accordion(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  const multiple = spec.props.multiple === true;
  const sections = (Array.isArray(spec.props.sections) ? (spec.props.sections as { label?: unknown; content?: unknown }[]) : []).map((s) => {
    const header = el("h4", { class: "ui-accordion-title" });
    const toggle = el("button", { type: "button", "aria-expanded": "false", id: uid("acc") }, str(s.label));
    const panel = el("div", { role: "region", id: uid("accpanel"), "aria-labelledby": toggle.id, hidden: "" });
    toggle.setAttribute("aria-controls", panel.id);
    panel.append(renderBundle(s.content, str(s.label), sink));
    header.append(toggle);
    root.append(header, panel);
    return { label: str(s.label), toggle, panel };
  });
  root.append(error);
  let open: string[] = [];
  const set = (value: unknown) => {
    open = strings(value);
    for (const s of sections) {
      const isOpen = open.includes(s.label);
      s.toggle.setAttribute("aria-expanded", String(isOpen));
      s.panel.hidden = !isOpen;
    }
  };
  set(spec.value);
  const widget: Widget = { spec, root, error, get: () => [...open], set };
  for (const s of sections)
    s.toggle.addEventListener("click", () => {
      const next = open.includes(s.label) ? open.filter((l) => l !== s.label) : multiple ? [...open, s.label] : [s.label];
      set(next);
      changed(widget, sink, next);
    });
  return widget;
}

function markdown(spec: UiSpec, sink: Sink): Widget {
  const { root, error } = shell(spec);
  root.classList.add("markdown-rendered");
  if (spec.label) {
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", spec.label);
  }
  const body = el("div");
  // Untrusted markdown (or HTML, for ui.html): sanitised exactly as markdown cells are
  // (plus the <pg-ui> placeholder tag).
  body.innerHTML = spec.props.html
    ? htmlWithElementsToSafeHtml(str(spec.props.text))
    : markdownWithElementsToSafeHtml(str(spec.props.text));
  hardenLinks(body);
  const embedded = new Map(childSpecs(spec.props.elements).map((s) => [s.id, s]));
  const built = new Map<string, Widget>();
  for (const tag of body.querySelectorAll("pg-ui")) {
    const id = tag.getAttribute("data-id") ?? "";
    const child = embedded.get(id);
    if (child) {
      const widget = build(child, sink);
      built.set(id, widget);
      tag.replaceWith(widget.root);
    } else tag.remove();
  }
  root.append(body, error);
  // A batch (ui.batch) is markdown whose value is its elements' values by name: what a
  // form holding it submits.
  const batch = Array.isArray(spec.props.batch) ? (spec.props.batch as { key?: unknown; id?: unknown }[]) : null;
  const get = () =>
    batch ? Object.fromEntries(batch.map((b) => [str(b.key), built.get(str(b.id))?.get() ?? null])) : null;
  const set = (value: unknown) => {
    if (!batch || !value || typeof value !== "object") return;
    const values = value as Record<string, unknown>;
    for (const b of batch) if (str(b.key) in values) built.get(str(b.id))?.set(values[str(b.key)]);
  };
  return { spec, root, error, get, set };
}

function image(spec: UiSpec): Widget {
  const { root, error } = shell(spec);
  const src = str(spec.props.src);
  const img = el("img", { class: "output-image", alt: spec.label });
  if (/^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*(;base64)?,/i.test(src)) img.src = src;
  if (typeof spec.props.width === "number") img.style.width = `${spec.props.width}px`;
  if (typeof spec.props.height === "number") img.style.height = `${spec.props.height}px`;
  root.append(img, error);
  return { spec, root, error, get: () => null, set: () => undefined };
}

function formatSeconds(s: number): string {
  return s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function progress(spec: UiSpec): Widget {
  const { root, error } = shell(spec);
  const p = spec.props;
  const title = str(p.title) || spec.label || "progress";
  const bar = el("progress", { "aria-label": title });
  const total = typeof p.total === "number" ? p.total : null;
  const current = num(p.current, num(spec.value, 0));
  if (typeof p.fraction === "number" && total !== null) {
    bar.max = total || 1;
    bar.value = Math.min(current, total);
  } else if (typeof p.fraction === "number") {
    bar.max = 1;
    bar.value = p.fraction;
  }
  const parts = [title, total !== null ? `${current}/${total}` : `${current}`];
  if (p.done) parts.push("done");
  else if (typeof p.eta === "number") parts.push(`about ${formatSeconds(p.eta)} left`);
  const text = el("span", { class: "ui-progress-text" }, parts.join(" · "));
  root.append(bar, text, error);
  return { spec, root, error, get: () => current, set: () => undefined };
}

// ------------------------------------------------------------------ entry

function build(spec: UiSpec, sink: Sink): Widget {
  const s: UiSpec = {
    id: str(spec.id),
    kind: str(spec.kind),
    label: str(spec.label),
    value: spec.value ?? null,
    props: spec.props && typeof spec.props === "object" ? spec.props : {},
  };
  let widget: Widget;
  switch (s.kind) {
    case "slider": widget = slider(s, sink); break;
    case "range_slider": widget = rangeSlider(s, sink); break;
    case "number": widget = numberInput(s, sink); break;
    case "text": widget = textInput(s, sink, false); break;
    case "text_area": widget = textInput(s, sink, true); break;
    case "checkbox": widget = checkbox(s, sink, false); break;
    case "switch": widget = checkbox(s, sink, true); break;
    case "dropdown": widget = dropdown(s, sink); break;
    case "radio": widget = radio(s, sink); break;
    case "multiselect": widget = multiselect(s, sink); break;
    case "date": widget = dateInput(s, sink); break;
    case "file": widget = fileInput(s, sink); break;
    case "button": widget = button(s, sink, false); break;
    case "run_button": widget = button(s, sink, true); break;
    case "table": widget = table(s, sink); break;
    case "dataframe": widget = dataframe(s, sink); break;
    case "array": widget = array(s, sink); break;
    case "dictionary": widget = dictionary(s, sink); break;
    case "form": widget = form(s, sink); break;
    case "hstack":
    case "vstack": widget = stack(s, sink); break;
    case "tabs": widget = tabs(s, sink); break;
    case "accordion": widget = accordion(s, sink); break;
    case "markdown": widget = markdown(s, sink); break;
    case "image": widget = image(s); break;
    case "progress": widget = progress(s); break;
    default: {
      const { root, error } = shell(s);
      root.append(el("span", { class: "ui-note" }, `(${s.kind || "unknown"} elements cannot be shown here)`), error);
      widget = { spec: s, root, error, get: () => s.value, set: () => undefined };
    }
  }
  if (!sink.local) register(widget);
  return widget;
}

/** The live widget for a UI spec (the value of an `application/vnd.playground.ui+json` bundle). */
export function renderUiElement(spec: unknown): HTMLElement | null {
  if (!spec || typeof spec !== "object") return null;
  return build(spec as UiSpec, kernelSink).root;
}
