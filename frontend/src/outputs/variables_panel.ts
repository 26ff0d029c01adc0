// The variables panel: one row per name in the notebook's memory, kept up to
// date from `variables` events, which carry only what a run changed
// (`updated`) and what left memory (`removed`). The cell column shows each
// defining cell by its label (cells/labels.ts), renamed as labels change.

import { cellLinkButton } from "../buttons";
import type { KernelListener } from "../kernel/client";
import type { VariableInfo } from "../kernel/messages";

export class VariablesPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly empty: HTMLElement;
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(
    kernel: { subscribe(listener: KernelListener): unknown },
    onSelectCell: (cellId: string) => void,
    private readonly labelOf: (cellId: string) => string,
  ) {
    this.element = document.createElement("section");
    this.element.className = "panel variables";
    this.element.dataset.testid = "variables";
    this.element.setAttribute("aria-label", "Variables");
    const heading = document.createElement("h2");
    heading.textContent = "Variables";
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th scope=col>name</th><th scope=col>type</th><th scope=col>value</th><th scope=col>cell</th></tr></thead>";
    this.body = table.createTBody();
    this.empty = document.createElement("p");
    this.empty.className = "muted";
    this.empty.textContent = "No variables yet: run a cell.";
    this.element.append(heading, this.empty, table);
    this.body.addEventListener("click", (event) => {
      const cellId = (event.target as HTMLElement).closest("[data-target-cell]")?.getAttribute("data-target-cell");
      if (cellId) onSelectCell(cellId);
    });
    kernel.subscribe({
      event: (event) => {
        if (event.type === "variables") this.apply(event.updated, event.removed);
        // A fresh Python (a restart, another kernel) holds no names yet.
        else if (event.type === "kernel_ready") this.apply([], [...this.rows.keys()]);
      },
    });
  }

  /** Labels changed (an analysis arrived, cells moved): rename the cell links. */
  relabel(): void {
    for (const row of this.rows.values()) {
      const link = row.querySelector<HTMLElement>("[data-target-cell]");
      const id = link?.dataset.targetCell;
      if (!link || id === undefined) continue;
      const fresh = cellLinkButton(id, this.labelOf(id));
      if (link.textContent !== fresh.textContent) link.replaceWith(fresh);
    }
  }

  private apply(updated: VariableInfo[], removed: string[]): void {
    for (const name of removed) {
      this.rows.get(name)?.remove();
      this.rows.delete(name);
    }
    for (const info of updated) {
      let row = this.rows.get(info.name);
      if (!row) {
        row = document.createElement("tr");
        row.dataset.variable = info.name;
        this.rows.set(info.name, row);
      }
      const cells = [info.name, info.type, info.summary].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        td.title = text;
        return td;
      });
      const link = document.createElement("td");
      const jump = cellLinkButton(info.cell_id, this.labelOf(info.cell_id));
      link.append(jump);
      row.replaceChildren(...cells, link);
    }
    // Keep rows sorted by name.
    const sorted = [...this.rows.entries()].sort(([a], [b]) => a.localeCompare(b));
    this.body.replaceChildren(...sorted.map(([, row]) => row));
    this.empty.hidden = this.rows.size > 0;
  }
}
