// The notebook editor page (/notebooks/<id>/): the framed playground edits, this
// page saves. Autosave runs a few seconds after the last edit and on Save or
// Ctrl/Cmd-S; each save names the revision it was based on, so a save from a
// stale tab gets a conflict (409) and the person chooses, never a silent
// overwrite. A websocket tells the page when someone else saved. The notebook
// may run on a server kernel, whose connection this page holds for the frame
// (server_kernel.ts). The notebook's folder is the files panel's
// (files_panel.ts): Python's working directory in the frame, and what Python
// writes there is saved.

import { ApiError, apiCall } from "./api";
import type { HostConfig } from "./config";
import { FilesPanel } from "./files_panel";
import { FolderApi } from "./folder_api";
import { PlaygroundFrame } from "./frame";
import { LiveRevisions } from "./live";
import { ServerKernelLink } from "./server_kernel";
import { type KeptCopy, UnsavedCopy } from "./unsaved_copy";

interface SaveAnswer {
  created: boolean;
  revision: { number: number };
}

interface NotebookAnswer {
  content: string;
  title: string;
  current_revision: number;
}

type SaveState = "saved" | "dirty" | "saving" | "error" | "conflict";

export function mountEditor(config: HostConfig, iframe: HTMLIFrameElement): void {
  const status = document.querySelector<HTMLElement>("[data-testid=save-status]");
  const saveButton = document.querySelector<HTMLButtonElement>("#host-save");
  const dialog = document.querySelector<HTMLDialogElement>("#conflict-dialog");
  const dialogMessage = document.querySelector<HTMLElement>("#conflict-message");
  const notice = document.querySelector<HTMLElement>("#revision-notice");
  const titleInput = document.querySelector<HTMLInputElement>("#notebook-title");
  const notebookUrl = `/api/notebooks/${config.notebook.id}`;
  const saveUrl = config.saveUrl ?? `${notebookUrl}/revisions`;
  const delay = config.autosaveDelayMs ?? 3000;

  let base = config.notebook.revision;
  let latest: string | null = null; // the newest source the frame reported, unsaved
  let saving: Promise<void> | null = null;
  let timer = 0;
  let conflictWith: number | null = null;
  /** An edit the host has heard of and not saved yet (its text may still be on its way). */
  let unsaved = false;
  const copies = new UnsavedCopy(config.notebook.id);

  function show(state: SaveState, text: string): void {
    if (!status) return;
    status.dataset.state = state;
    status.textContent = text;
  }

  const frame = new PlaygroundFrame(iframe, config.frameOrigin, { source: config.notebook.content, title: config.notebook.title }, {
    dirty() {
      // The text follows; until it is saved the tab is guarded.
      unsaved = true;
      if (conflictWith !== null) return show("conflict", "Not saved: this notebook changed elsewhere");
      if (!saving) show("dirty", "Unsaved changes");
    },
    changed(source) {
      latest = source;
      unsaved = true;
      copies.keep(source, base);
      if (conflictWith !== null) return show("conflict", "Not saved: this notebook changed elsewhere");
      show("dirty", "Unsaved changes");
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void save(), delay);
    },
    save(source) {
      latest = source;
      unsaved = true;
      copies.keep(source, base);
      void save({ explicit: true });
    },
    error(message) {
      show("error", `The notebook could not be opened: ${message}`);
    },
    opened() {
      // A notebook this browser last ran on a server kernel joins that kernel again.
      if (kernelJoined || !kernel) return;
      kernelJoined = true;
      if (kernel.remembered() === "server") void kernel.start();
    },
    kernelMode(mode) {
      kernelJoined = true;
      if (mode === "server") void kernel?.start();
      else kernel?.stop();
    },
    kernelCommand(command) {
      kernel?.command(command);
    },
    kernelControl(action) {
      void kernel?.control(action);
    },
    filesWritten(written, removed) {
      files?.filesWritten(written, removed);
    },
  });
  // The folder: on this page people may change it. Revisions its changes make are this page's own news.
  const ownRevisions = new Set<number>();
  const filesElement = document.querySelector<HTMLElement>("#files-panel");
  const files = filesElement
    ? new FilesPanel({
        element: filesElement,
        api: new FolderApi(`${notebookUrl}/files`, config.csrfToken),
        frame,
        writable: true,
        madeRevision: (revision) => ownRevisions.add(revision),
      })
    : null;
  if (files) frame.waitForFolder(files.load());
  // Server kernels are for people who edit the notebook (this page), not for its app preview.
  const kernel = config.notebook.mode === "edit" ? new ServerKernelLink(config.notebook.id, config.csrfToken, frame) : null;
  let kernelJoined = false;
  frame.kernelOffer = () => ({ serverKernels: kernel !== null, kernel: kernel?.mode ?? "browser" });

  async function save(options: { explicit?: boolean; overwrite?: boolean } = {}): Promise<void> {
    window.clearTimeout(timer);
    if (saving) {
      await saving;
      if (latest === null) return;
    }
    if (latest === null) {
      if (options.explicit) show("saved", `Saved · revision ${base}`);
      return;
    }
    if (conflictWith !== null && !options.overwrite) {
      if (options.explicit) openConflict(conflictWith);
      return;
    }
    const source = latest;
    const basedOn = options.overwrite && conflictWith !== null ? conflictWith : base;
    show("saving", "Saving…");
    saving = (async () => {
      try {
        const answer = await apiCall<SaveAnswer>("POST", saveUrl, config.csrfToken, { content: source, base_revision: basedOn });
        base = answer.revision.number;
        conflictWith = null;
        if (latest === source) {
          latest = null;
          unsaved = false;
          copies.forget();
        }
        show(latest === null ? "saved" : "dirty", latest === null ? `Saved · revision ${base}` : "Unsaved changes");
        if (latest !== null) timer = window.setTimeout(() => void save(), delay);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          conflictWith = Number(error.body.current_revision) || null;
          show("conflict", "Not saved: this notebook changed elsewhere");
          openConflict(conflictWith, error.message);
        } else {
          const message = error instanceof Error ? error.message : String(error);
          show("error", `Not saved: ${message}`);
        }
      } finally {
        saving = null;
      }
    })();
    await saving;
  }

  function openConflict(revision: number | null, message?: string): void {
    if (!dialog) return;
    if (dialogMessage) {
      dialogMessage.textContent = message ?? `It was saved in another tab or by a collaborator (revision ${revision ?? "?"}) after the version you are editing.`;
    }
    if (!dialog.open) dialog.showModal();
  }

  async function loadCurrent(): Promise<void> {
    show("saving", "Loading the saved version…");
    try {
      const current = await apiCall<NotebookAnswer>("GET", notebookUrl, config.csrfToken);
      base = current.current_revision;
      latest = null;
      unsaved = false;
      copies.forget();
      conflictWith = null;
      if (notice) notice.hidden = true;
      await files?.refresh();
      frame.open(current.content, current.title);
      show("saved", `Saved · revision ${base}`);
    } catch (error) {
      show("error", `Could not load the saved version: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dialog?.addEventListener("click", (event) => {
    const choice = (event.target as HTMLElement).closest("button")?.value;
    if (!choice) return;
    dialog.close();
    if (choice === "theirs") void loadCurrent();
    else if (choice === "mine") void save({ overwrite: true });
  });

  saveButton?.addEventListener("click", () => {
    if (conflictWith !== null) return openConflict(conflictWith);
    frame.requestSave();
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      frame.requestSave();
    }
  });

  // Rename without leaving the page (the form still works without this script).
  titleInput?.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    void apiCall("PATCH", notebookUrl, config.csrfToken, { title: titleInput.value }).then(
      () => {
        document.title = `${titleInput.value} — Playground`;
        titleInput.blur();
      },
      (error: unknown) => show("error", `Not renamed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  titleInput?.addEventListener("change", () => titleInput.form?.requestSubmit());

  window.addEventListener("beforeunload", (event) => {
    if (unsaved || latest !== null || saving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const kept = copies.read();
  if (kept && kept.source !== config.notebook.content && notice) offerKeptCopy(kept);

  /** Changes this browser kept from a visit whose save never landed (closed tab, storage down). */
  function offerKeptCopy(kept: KeptCopy): void {
    if (!notice) return;
    notice.hidden = false;
    notice.dataset.state = "kept-copy";
    const when = new Date(kept.savedAt).toLocaleString();
    notice.replaceChildren(`This browser kept changes to this notebook that were not saved (${when}, made on revision ${kept.base}). `);
    const restore = document.createElement("button");
    restore.type = "button";
    restore.dataset.testid = "kept-copy-restore";
    restore.textContent = "Restore them";
    restore.addEventListener("click", () => {
      notice.hidden = true;
      // Saved on the revision they were made on: if the notebook moved on since, the conflict dialog asks.
      base = kept.base;
      latest = kept.source;
      unsaved = true;
      frame.open(kept.source, config.notebook.title);
      void save({ explicit: true });
    });
    const discard = document.createElement("button");
    discard.type = "button";
    discard.dataset.testid = "kept-copy-discard";
    discard.textContent = "Discard them";
    discard.addEventListener("click", () => {
      copies.forget();
      notice.hidden = true;
    });
    notice.append(restore, " ", discard);
  }

  if (config.eventsUrl) {
    new LiveRevisions(config.eventsUrl, async (revision, author, textChanged) => {
      if (saving) await saving;
      if (files?.busy) await files.settled();
      if (revision <= base || ownRevisions.has(revision)) return; // our own save or file change, or older news
      // The folder may have changed (an upload elsewhere, a collaborator's Python): show it at once.
      void files?.refresh();
      // Only the folder changed: the text here is still current, and saving it conflicts with nothing.
      if (!textChanged) return;
      if (!notice) return;
      notice.hidden = false;
      notice.replaceChildren(
        `A newer version (revision ${revision}) was saved ${author ? `by ${author}` : "elsewhere"}. `,
      );
      const load = document.createElement("button");
      load.type = "button";
      load.dataset.testid = "revision-notice-load";
      load.textContent = latest === null ? "Load it" : "Load it (drop my unsaved changes)";
      load.addEventListener("click", () => void loadCurrent());
      notice.append(load);
    }, () => {
      // Saves would now be refused; what is in this tab stays here (nothing is dropped).
      if (!notice) return;
      notice.hidden = false;
      notice.dataset.state = "access-ended";
      notice.replaceChildren(
        "You no longer have access to this notebook (the owner revoked the link or removed you). " +
          "Your text stays in this tab: copy what you need.",
      );
    });
  }
}
