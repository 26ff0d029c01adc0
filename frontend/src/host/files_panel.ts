// The notebook's folder on its app pages (docs/folders.md): the file list
// (names, sizes, folders as path prefixes), and for people who may edit the
// notebook Upload (several files, or dropped on the panel, with progress), New
// file, Rename and Delete; everyone gets Download. Every answer of the API is
// the whole new folder, which this panel shows and sends to the framed
// playground (PlaygroundFrame.setFolder), where it is Python's working
// directory. What Python writes there comes back (`files-written`): saved
// through the API for an editor; for a viewer it stays in that browser, and
// the panel says so. An API error is shown here in words and changes nothing.
//
// The standalone playground (/play) uses the same panel for a local draft's
// folder: its store is storage/draft_files.ts (IndexedDB) instead of the API,
// and its target the page's own kernel instead of a frame.

import { actionButton } from "../buttons";
import type { FolderFile, WrittenFile } from "../kernel/messages";
import { ApiError } from "./api";
import type { Folder } from "./folder_api";

/** Where the folder is kept: the service's API (FolderApi) or a local draft (DraftFolder). */
export interface FolderStore {
  list(): Promise<Folder>;
  upload(files: File[], progress?: (fraction: number) => void): Promise<Folder>;
  write(path: string, data: BlobPart): Promise<Folder>;
  rename(from: string, to: string): Promise<Folder>;
  remove(path: string): Promise<Folder>;
  downloadUrl(path: string, file: FolderFile): string;
}

/** Where the folder is mounted as Python's working directory (the framed playground, or this page's kernel). */
export interface FolderTarget {
  setFolder(files: FolderFile[], writable: boolean): void;
}

export interface FilesPanelOptions {
  /** The panel's element in the page (`#files-panel`). */
  element: HTMLElement;
  api: FolderStore;
  frame: FolderTarget;
  /** May change the folder (the editor); viewers get the list and Download. */
  writable: boolean;
  /** A revision this page's own folder change made (the editor does not report it as "saved elsewhere"). */
  madeRevision?(revision: number): void;
  /** A local draft's folder (/play): says the files stay in this browser; nothing keeps old versions. */
  local?: boolean;
}

export const LOCAL_FILES_NOTICE = "These files stay in this browser, with this draft. “Save to account” takes them along.";

export const VIEWER_WRITES_NOTICE = "Changes Python makes to files stay in this browser: you can't edit this notebook.";

function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export class FilesPanel {
  private readonly element: HTMLElement;
  private readonly api: FolderStore;
  private readonly frame: FolderTarget;
  private readonly writable: boolean;
  private readonly local: boolean;
  private readonly madeRevision: (revision: number) => void;
  private files: FolderFile[] = [];
  private readonly list = document.createElement("ul");
  private readonly summary = document.createElement("span");
  private readonly empty = document.createElement("p");
  private readonly error = document.createElement("p");
  private readonly notice = document.createElement("p");
  private readonly progress = document.createElement("progress");
  private readonly input = document.createElement("input");
  /** Changes go one at a time, in order (an upload, then Python's writes after a run, ...). */
  private queue: Promise<unknown> = Promise.resolve();
  private changing = 0;

  constructor(options: FilesPanelOptions) {
    this.element = options.element;
    this.api = options.api;
    this.frame = options.frame;
    this.writable = options.writable;
    this.local = options.local ?? false;
    this.madeRevision = options.madeRevision ?? (() => undefined);
    this.build();
  }

  private build(): void {
    const el = this.element;
    el.hidden = false;
    el.dataset.writable = String(this.writable);
    el.setAttribute("aria-label", "Files");
    const head = document.createElement("div");
    head.className = "files-head";
    const title = document.createElement("h2");
    title.textContent = "Files";
    this.summary.className = "muted";
    this.summary.dataset.testid = "files-summary";
    head.append(title, this.summary);

    this.error.className = "files-error";
    this.error.dataset.testid = "files-error";
    this.error.setAttribute("role", "alert");
    this.error.hidden = true;
    this.notice.className = "files-notice";
    this.notice.dataset.testid = "files-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = !this.local;
    if (this.local) this.notice.textContent = LOCAL_FILES_NOTICE;
    this.progress.dataset.testid = "files-progress";
    this.progress.max = 1;
    this.progress.hidden = true;
    this.list.className = "files-list";
    this.list.dataset.testid = "files-list";
    this.empty.className = "muted files-empty";
    this.empty.dataset.testid = "files-empty";
    this.empty.textContent = this.writable
      ? "No files yet. Upload or drop files here: Python opens them by name (open(\"data.csv\"))."
      : "This notebook has no files.";

    el.replaceChildren(head);
    if (this.writable) {
      this.input.type = "file";
      this.input.multiple = true;
      this.input.hidden = true;
      this.input.dataset.testid = "files-upload-input";
      this.input.addEventListener("change", () => {
        const chosen = [...(this.input.files ?? [])];
        this.input.value = "";
        if (chosen.length) this.upload(chosen);
      });
      const actions = document.createElement("div");
      actions.className = "files-actions";
      actions.append(
        actionButton("files-upload", "Upload", "Add files to the notebook's folder (or drop them on this panel)", () => this.input.click()),
        actionButton("files-new", "New file", "Make an empty file", () => this.newFile()),
        this.input,
      );
      el.append(actions);
      this.acceptDrops();
    }
    el.append(this.progress, this.error, this.notice, this.empty, this.list);
    this.render();
  }

  /** Read the folder and send it to the frame; the page's first `open` waits for this. */
  load(): Promise<void> {
    return this.api.list().then(
      (folder) => this.show(folder, { made: false }),
      (error: unknown) => this.showError(`The notebook's files could not be read: ${messageOf(error)}`),
    );
  }

  /** Python wrote in the folder during a run (the frame's `files-written`). */
  filesWritten(files: WrittenFile[], removed: string[]): void {
    if (!this.writable) {
      this.notice.textContent = VIEWER_WRITES_NOTICE;
      this.notice.hidden = false;
      return;
    }
    void this.change(async () => {
      let folder: Folder | null = null;
      const failed: string[] = [];
      for (const file of files) {
        try {
          folder = await this.api.write(file.path, file.data);
          this.madeRevision(folder.revision);
        } catch (error) {
          failed.push(`${file.path}: ${messageOf(error)}`);
        }
      }
      for (const path of removed) {
        try {
          folder = await this.api.remove(path);
          this.madeRevision(folder.revision);
        } catch (error) {
          // Python deleted a file it made whose save never landed: nothing to delete.
          if (!(error instanceof ApiError && error.code === "not_found")) failed.push(`${path}: ${messageOf(error)}`);
        }
      }
      if (folder) this.show(folder, { made: true });
      if (failed.length) {
        if (this.local) this.showError(`Not kept with the draft: ${failed.join("; ")}`);
        else this.showError(`Not saved (what Python wrote stays in this browser until you reload): ${failed.join("; ")}`);
      }
      return null;
    });
  }

  /** Read the folder again (another version was loaded, or someone else changed it). */
  refresh(): Promise<void> {
    return this.change(() => this.api.list(), { made: false, quiet: true });
  }

  /** Waits until no change of this page's is on its way. */
  settled(): Promise<unknown> {
    return this.queue;
  }

  get busy(): boolean {
    return this.changing > 0;
  }

  private upload(files: File[]): void {
    void this.change(() => {
      this.progress.value = 0;
      this.progress.hidden = false;
      return this.api.upload(files, (fraction) => {
        this.progress.value = fraction;
      });
    });
  }

  private newFile(): void {
    const name = window.prompt("Name of the new file (a path like data/notes.txt makes folders):", "");
    if (name === null || name.trim() === "") return;
    void this.change(() => this.api.write(name.trim(), new Uint8Array(0)));
  }

  private rename(path: string): void {
    const to = window.prompt(`Rename ${path} to:`, path);
    if (to === null || to.trim() === "" || to.trim() === path) return;
    void this.change(() => this.api.rename(path, to.trim()));
  }

  private remove(path: string): void {
    const kept = this.local ? "It is only in this browser: it cannot be brought back." : "Older revisions in History keep it.";
    if (!window.confirm(`Delete ${path}? ${kept}`)) return;
    void this.change(() => this.api.remove(path));
  }

  /** One change through the API: its answer is the new folder; an error is shown and changes nothing. */
  private change(request: () => Promise<Folder | null>, options: { made?: boolean; quiet?: boolean } = {}): Promise<void> {
    this.changing += 1;
    this.element.dataset.state = "busy";
    if (!options.quiet) this.error.hidden = true;
    const step = this.queue.then(async () => {
      try {
        const folder = await request();
        if (folder) this.show(folder, { made: options.made ?? true });
      } catch (error) {
        this.showError(messageOf(error));
      } finally {
        this.progress.hidden = true;
        this.changing -= 1;
        if (this.changing === 0) this.element.dataset.state = "idle";
      }
    });
    this.queue = step;
    return step;
  }

  private show(folder: Folder, { made }: { made: boolean }): void {
    if (made) this.madeRevision(folder.revision);
    this.files = [...folder.files].sort((a, b) => a.path.localeCompare(b.path));
    this.element.dataset.revision = String(folder.revision);
    this.render();
    this.frame.setFolder(this.files, this.writable);
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  private render(): void {
    const total = this.files.reduce((sum, file) => sum + file.size, 0);
    this.summary.textContent = this.files.length ? `${this.files.length} file${this.files.length === 1 ? "" : "s"} · ${sizeText(total)}` : "";
    this.empty.hidden = this.files.length > 0;
    this.list.replaceChildren(...this.files.map((file) => this.row(file)));
  }

  private row(file: FolderFile): HTMLLIElement {
    const row = document.createElement("li");
    row.className = "file-row";
    row.dataset.testid = "file-row";
    row.dataset.path = file.path;
    const name = document.createElement("span");
    name.className = "file-name";
    name.dataset.testid = "file-name";
    name.title = file.path;
    const slash = file.path.lastIndexOf("/");
    if (slash >= 0) {
      const folder = document.createElement("span");
      folder.className = "file-folder";
      folder.textContent = file.path.slice(0, slash + 1);
      name.append(folder);
    }
    name.append(file.path.slice(slash + 1));
    const size = document.createElement("span");
    size.className = "file-size muted";
    size.dataset.testid = "file-size";
    size.textContent = sizeText(file.size);
    size.title = `${file.size.toLocaleString()} bytes`;
    const download = document.createElement("a");
    download.dataset.testid = "file-download";
    download.textContent = "Download";
    download.href = this.api.downloadUrl(file.path, file);
    download.setAttribute("download", file.path.slice(slash + 1));
    download.setAttribute("aria-label", `Download ${file.path}`);
    const actions = document.createElement("span");
    actions.className = "file-actions";
    actions.append(download);
    if (this.writable) {
      const rename = actionButton("file-rename", "Rename", `Rename or move ${file.path}`, () => this.rename(file.path));
      rename.className = "link";
      const remove = actionButton("file-delete", "Delete", `Delete ${file.path}`, () => this.remove(file.path));
      remove.className = "link danger";
      actions.append(rename, remove);
    }
    row.append(name, size, actions);
    return row;
  }

  /** Files dropped anywhere on the panel are uploaded together (one request, one revision). */
  private acceptDrops(): void {
    const el = this.element;
    const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") ?? false;
    el.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      el.classList.add("dropping");
    });
    el.addEventListener("dragleave", (event) => {
      if (!el.contains(event.relatedTarget as Node | null)) el.classList.remove("dropping");
    });
    el.addEventListener("drop", (event) => {
      el.classList.remove("dropping");
      if (!carriesFiles(event)) return;
      event.preventDefault();
      const dropped = [...(event.dataTransfer?.files ?? [])];
      if (dropped.length) this.upload(dropped);
    });
  }
}
