// The share box under the toolbar: the copy-link URL and the embed snippet,
// shown in text fields (the clipboard may be unavailable) as well as copied.

export class SharePanel {
  readonly element: HTMLElement;
  private readonly linkField: HTMLInputElement;
  private readonly embedField: HTMLTextAreaElement;
  private readonly message: HTMLElement;

  constructor() {
    this.element = document.createElement("section");
    this.element.className = "share-panel";
    this.element.hidden = true;
    this.element.setAttribute("aria-label", "Share");
    this.message = document.createElement("p");
    this.message.className = "share-message";
    this.message.setAttribute("role", "status");
    this.linkField = document.createElement("input");
    this.linkField.type = "text";
    this.linkField.readOnly = true;
    this.linkField.dataset.testid = "share-link";
    this.linkField.setAttribute("aria-label", "Link to this notebook");
    this.embedField = document.createElement("textarea");
    this.embedField.readOnly = true;
    this.embedField.rows = 3;
    this.embedField.dataset.testid = "embed-code";
    this.embedField.setAttribute("aria-label", "HTML to embed this notebook");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = "✕";
    close.title = "Close";
    close.setAttribute("aria-label", "Close the share box");
    close.addEventListener("click", () => (this.element.hidden = true));
    for (const field of [this.linkField, this.embedField]) field.addEventListener("focus", () => field.select());
    this.element.append(close, this.message, this.linkField, this.embedField);
  }

  async showLink(url: string): Promise<void> {
    this.show(this.linkField, url);
    this.message.textContent = (await copy(url))
      ? "Link copied. Anyone with it gets this notebook (it lives in the link itself)."
      : "Copy this link; anyone with it gets this notebook.";
  }

  async showEmbed(snippet: string): Promise<void> {
    this.show(this.embedField, snippet);
    this.message.textContent = (await copy(snippet))
      ? "Embed code copied: paste it into a web page."
      : "Paste this HTML into a web page to embed the notebook.";
  }

  showError(text: string): void {
    this.element.hidden = false;
    this.linkField.hidden = this.embedField.hidden = true;
    this.message.textContent = text;
  }

  private show(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
    this.element.hidden = false;
    this.linkField.hidden = field !== this.linkField;
    this.embedField.hidden = field !== this.embedField;
    field.value = value;
  }
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
