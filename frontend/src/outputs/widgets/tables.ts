// The table element: columns and rows from the spec, sortable by a column,
// paged, with single or multiple row selection (its value: the selected row
// indices). The column reading, sorting, cells and pager are shared with
// dataframe.ts.

import { el, nameOf, num, shell, str, uid } from "./dom";
import { changed } from "./sending";
import type { Sink, UiSpec, Widget } from "./types";

export interface Column {
  name: string;
  type: string;
}

export function columnsOf(spec: UiSpec): Column[] {
  return Array.isArray(spec.props.columns)
    ? (spec.props.columns as { name?: unknown; type?: unknown }[]).map((c) => ({ name: str(c.name), type: str(c.type) }))
    : [];
}

export function rowsOf(spec: UiSpec): unknown[][] {
  return Array.isArray(spec.props.rows) ? (spec.props.rows as unknown[][]) : [];
}

export function compare(a: unknown, b: unknown): number {
  // Missing values sort last either way (callers flip the rest).
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0;
}

export function sortIndices(indices: number[], rows: unknown[][], keys: { col: number; descending: boolean }[]): number[] {
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

export function cell(value: unknown, type: string): HTMLTableCellElement {
  const td = el("td", { class: type === "number" ? "ui-num" : "" }, value === null ? "" : str(value));
  return td;
}

export function pager(onMove: (delta: number) => void): { root: HTMLElement; update(page: number, pages: number): void } {
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

export function table(spec: UiSpec, sink: Sink): Widget {
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
