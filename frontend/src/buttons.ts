// Buttons of the page: every action button has a visible label, a title and
// an accessible name (for symbols such as ▶), and its test hook.

import { cellReference } from "./cells/labels";

export function actionButton(testId: string, label: string, title: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement("button");
  node.type = "button";
  node.dataset.testid = testId;
  node.textContent = label;
  node.title = title;
  node.setAttribute("aria-label", title);
  node.addEventListener("click", (event) => {
    // A click on a cell's button is not a click that selects text in the cell.
    event.stopPropagation();
    onClick();
  });
  return node;
}

/**
 * A link to a cell in a side panel or an error, showing the cell's label (cells/labels.ts).
 * `data-target-cell` holds the id, never `data-cell-id`: that names cells only.
 */
export function cellLinkButton(cellId: string, label: string): HTMLButtonElement {
  const jump = document.createElement("button");
  jump.type = "button";
  jump.className = "link-button";
  jump.dataset.targetCell = cellId;
  jump.textContent = label;
  jump.title = `Go to ${cellReference([label])}`;
  return jump;
}
