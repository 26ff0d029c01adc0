// The dataframe element: filters, a sort and a choice of columns picked in the
// page, applied to the rows the spec carries for a paged preview; its value is
// the transform itself ({filters, sort, columns}), which Python applies to the
// whole frame.

import { el, nameOf, num, shell, str, strings, uid } from "./dom";
import { changed } from "./sending";
import { cell, type Column, columnsOf, compare, pager, rowsOf, sortIndices } from "./tables";
import type { Sink, UiSpec, Widget } from "./types";

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

export function dataframe(spec: UiSpec, sink: Sink): Widget {
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
