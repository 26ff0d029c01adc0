// The keyboard shortcut list (`?`, or the toolbar's "?" button): what the
// editor and command mode do, in one dialog.

const SHORTCUTS: [string, string][] = [
  ["Shift-Enter / Ctrl-Enter", "run the cell"],
  ["Alt-Enter", "run the cell and add one below"],
  ["Ctrl-S", "save"],
  ["Ctrl-F", "find and replace in every cell (Enter: next, Shift-Enter: previous, Esc: close)"],
  ["Esc", "leave the editor: command mode (keys act on cells)"],
  ["Enter", "command mode: edit the selected cell"],
  ["↑ ↓ (or k j)", "command mode: select the cell above or below"],
  ["a / b", "command mode: add a cell above / below"],
  ["d d", "command mode: delete the cell"],
  ["m / y", "command mode: make it markdown / code"],
  ["z, or Ctrl-Z outside an editor", "undo adding, deleting, moving or converting a cell"],
  ["?", "this list"],
];

export class ShortcutsDialog {
  private readonly dialog: HTMLDialogElement;

  constructor(parent: HTMLElement) {
    this.dialog = document.createElement("dialog");
    this.dialog.className = "shortcuts";
    this.dialog.dataset.testid = "shortcuts";
    this.dialog.setAttribute("aria-label", "Keyboard shortcuts");
    const title = document.createElement("h2");
    title.textContent = "Keyboard shortcuts";
    const list = document.createElement("dl");
    const mac = /Mac|iPhone|iPad/.test(navigator.platform);
    for (const [keys, what] of SHORTCUTS) {
      const term = document.createElement("dt");
      term.textContent = mac ? keys.replaceAll("Ctrl-", "Cmd-") : keys;
      const description = document.createElement("dd");
      description.textContent = what;
      list.append(term, description);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => this.dialog.close());
    this.dialog.append(title, list, close);
    parent.append(this.dialog);
  }

  open(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }
}
