// The list of local notebooks (drafts) with open / rename / delete (a draft's files go with it).
// Rename edits the title in place: Enter or leaving the field keeps it, Escape cancels.

import { draftTitle, listDrafts, renameDraft, type Draft } from "./drafts";
import { deleteDraftWithFiles } from "./draft_files";

export interface DraftsPanelHooks {
  open(draft: Draft): void;
  /** The open notebook's draft was deleted. */
  deletedCurrent(): void;
  currentId(): string;
}

function actionButton(action: string, label: string, title: string): HTMLButtonElement {
  const node = document.createElement("button");
  node.type = "button";
  node.dataset.action = action;
  node.dataset.testid = `draft-${action}`;
  node.textContent = label;
  node.title = title;
  return node;
}

export class DraftsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly status: HTMLElement;
  private shown = new Map<string, Draft>();

  constructor(private readonly hooks: DraftsPanelHooks) {
    this.element = document.createElement("section");
    this.element.className = "panel drafts";
    this.element.dataset.testid = "drafts";
    this.element.setAttribute("aria-label", "Local notebooks");
    const heading = document.createElement("h2");
    heading.textContent = "Local notebooks";
    this.status = document.createElement("p");
    this.status.className = "muted";
    this.list = document.createElement("ul");
    this.element.append(heading, this.status, this.list);
    this.list.addEventListener("click", (event) => void this.onClick(event));
  }

  async refresh(): Promise<void> {
    // Re-rendering would drop a title being typed; finishing the rename refreshes.
    if (this.list.querySelector("input.draft-rename")) return;
    let drafts: Draft[];
    try {
      drafts = await listDrafts();
    } catch (error) {
      this.status.textContent = `Local notebooks are unavailable: ${String(error)}`;
      return;
    }
    this.status.textContent = drafts.length ? "" : "Nothing saved in this browser yet; notebooks save as you type.";
    this.shown = new Map(drafts.map((d) => [d.id, d]));
    const current = this.hooks.currentId();
    this.list.replaceChildren(...drafts.map((draft) => this.row(draft, draft.id === current)));
  }

  private row(draft: Draft, current: boolean): HTMLLIElement {
    const row = document.createElement("li");
    row.dataset.testid = "draft";
    row.dataset.draftId = draft.id;
    row.classList.toggle("current", current);
    const title = document.createElement("span");
    title.className = "draft-title";
    title.textContent = draftTitle(draft);
    title.title = `changed ${new Date(draft.updated).toLocaleString()}`;
    const actions = document.createElement("span");
    actions.className = "draft-actions";
    actions.append(
      actionButton("open", "Open", `Open “${draftTitle(draft)}”`),
      actionButton("rename", "Rename", "Rename this notebook"),
      actionButton("delete", "Delete", "Delete this notebook from this browser"),
    );
    if (current) row.setAttribute("aria-current", "true");
    row.append(title, actions);
    return row;
  }

  private async onClick(event: MouseEvent): Promise<void> {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
    const row = target?.closest<HTMLLIElement>("li[data-draft-id]");
    if (!target || !row) return;
    const id = row.dataset.draftId!;
    // The listed drafts, not a fresh read: rename must start in this event,
    // before the next keystroke arrives.
    const draft = this.shown.get(id);
    if (!draft) return void this.refresh();
    switch (target.dataset.action) {
      case "open":
        this.hooks.open(draft);
        break;
      case "rename":
        this.startRename(row, draft);
        break;
      case "delete":
        await deleteDraftWithFiles(id);
        if (id === this.hooks.currentId()) this.hooks.deletedCurrent();
        await this.refresh();
        break;
    }
  }

  private startRename(row: HTMLLIElement, draft: Draft): void {
    const title = row.querySelector<HTMLElement>(".draft-title")!;
    const input = document.createElement("input");
    input.type = "text";
    input.className = "draft-rename";
    input.dataset.testid = "draft-title-input";
    input.value = draftTitle(draft);
    input.setAttribute("aria-label", "New name of the notebook");
    let done = false;
    const finish = async (keep: boolean) => {
      if (done) return;
      done = true;
      if (keep) await renameDraft(draft.id, input.value);
      input.remove();
      await this.refresh();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") void finish(true);
      if (event.key === "Escape") void finish(false);
    });
    input.addEventListener("blur", () => void finish(true));
    title.replaceWith(input);
    input.focus();
    input.select();
  }
}
