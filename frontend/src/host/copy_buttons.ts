// Copy buttons of the app's pages: a share link, a notebook's address, a new API
// token. The page renders each value in a read-only field with a hidden button
// whose data-copy names the field; this script shows the buttons and copies on
// click. Without it the field is still there to select and copy by hand.

const RESET_AFTER_MS = 2000;

export function mountCopyButtons(root: ParentNode = document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy ?? "");
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) continue;
    const label = button.textContent ?? "Copy";
    let reset = 0;
    button.hidden = false;
    button.addEventListener("click", async () => {
      window.clearTimeout(reset);
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        // No clipboard access (an old browser, or permission refused): select the
        // text so one keystroke copies it.
        field.focus();
        field.select();
      }
      button.dataset.state = copied ? "copied" : "selected";
      button.textContent = copied ? "Copied" : "Press Ctrl/Cmd-C";
      reset = window.setTimeout(() => {
        button.textContent = label;
        delete button.dataset.state;
      }, RESET_AFTER_MS);
    });
  }
}
