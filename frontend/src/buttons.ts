// Buttons of the page: every action button has a visible label, a title and
// an accessible name (for symbols such as ▶), and its test hook.

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

/** A link to a cell in a side panel. `data-target-cell`, never `data-cell-id`: that names cells only. */
export function cellLinkButton(cellId: string): HTMLButtonElement {
  const jump = document.createElement("button");
  jump.type = "button";
  jump.className = "link-button";
  jump.dataset.targetCell = cellId;
  jump.textContent = cellId;
  jump.title = `Go to cell ${cellId}`;
  return jump;
}
