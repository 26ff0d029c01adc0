// "Reads from" / "feeds" for the selected cell: the cells it depends on and
// the cells that depend on it, by the defs and refs of cell_analysis events,
// each shown by its label (labels.ts).

import { cellLinkButton } from "../buttons";
import { cellReference } from "./labels";
import { feeds, readsFrom, type Analysis } from "./links";

export class LinksPanel {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly readsList: HTMLUListElement;
  private readonly feedsList: HTMLUListElement;

  constructor(
    private readonly onSelectCell: (cellId: string) => void,
    private readonly labelOf: (cellId: string) => string,
  ) {
    this.element = document.createElement("section");
    this.element.className = "panel cell-links";
    this.element.dataset.testid = "cell-links";
    this.element.setAttribute("aria-label", "Links of the selected cell");
    const heading = document.createElement("h2");
    heading.textContent = "Selected cell";
    this.title = document.createElement("p");
    this.title.className = "muted";
    this.readsList = this.list("reads-from");
    this.feedsList = this.list("feeds");
    const readsHeading = document.createElement("h3");
    readsHeading.textContent = "Reads from";
    const feedsHeading = document.createElement("h3");
    feedsHeading.textContent = "Feeds";
    this.element.append(heading, this.title, readsHeading, this.readsList, feedsHeading, this.feedsList);
    this.show(null, [], new Map());
  }

  private list(testId: string): HTMLUListElement {
    const list = document.createElement("ul");
    list.dataset.testid = testId;
    list.addEventListener("click", (event) => {
      const id = (event.target as HTMLElement).closest("[data-target-cell]")?.getAttribute("data-target-cell");
      if (id) this.onSelectCell(id);
    });
    return list;
  }

  show(cellId: string | null, order: readonly string[], analyses: ReadonlyMap<string, Analysis>): void {
    this.title.textContent = cellId === null ? "Select a cell to see what it reads and feeds." : cellReference([this.labelOf(cellId)]);
    this.fill(this.readsList, cellId === null ? [] : readsFrom(cellId, order, analyses));
    this.fill(this.feedsList, cellId === null ? [] : feeds(cellId, order, analyses));
  }

  private fill(list: HTMLUListElement, ids: string[]): void {
    list.replaceChildren(
      ...ids.map((id) => {
        const item = document.createElement("li");
        const jump = cellLinkButton(id, this.labelOf(id));
        item.append(jump);
        return item;
      }),
    );
    // An empty list shows "none" through CSS (:empty), so the list holds only cell names.
  }
}
