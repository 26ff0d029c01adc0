// The files of a local draft on /play (docs/folders.md, "Files in /play"): the
// draft lists them (path, size, sha256; storage/drafts.ts) and their bytes are
// kept by hash in the kernel's file store (kernel/folder_cache.ts), so a file
// is kept once however many drafts hold it. DraftFolder is the files panel's
// store for /play (host/files_panel.ts), as FolderApi is on the app's pages:
// every change answers with the whole folder, whose `url`s are blob: addresses
// made here, which the kernel worker (same origin) reads synchronously when
// Python first opens a file it could not fill from the store at mount.

import type { Folder } from "../host/folder_api";
import type { FolderStore } from "../host/files_panel";
import { FolderCache, sha256Hex } from "../kernel/folder_cache";
import type { FolderFile, NotebookFile } from "../kernel/messages";
import { deleteDraft, getDraft, listDrafts, saveDraftFiles, type DraftFile } from "./drafts";

export interface DraftFolderLimits {
  /** The service's FOLDER_FILE_MAX_BYTES: a file the account could not take is refused here too. */
  fileMaxBytes: number;
  /** The service's FOLDER_FILES_MAX. */
  filesMax: number;
}

const MAX_PATH_CHARS = 1024;
const MAX_PART_BYTES = 255;
const MAX_DEPTH = 16;

function sizeInWords(bytes: number): string {
  return bytes >= 1000 * 1000 ? `${Math.round(bytes / (1000 * 1000))} MB` : `${Math.round(bytes / 1000)} kB`;
}

/** The service's rules for a file's path (folders/paths.py), with the same kind of message. */
export function checkPath(path: string): string {
  const problem = (why: string) => new Error(`“${path}” cannot be a file's name: ${why}.`);
  if (path === "") throw problem("it is empty");
  if (path.length > MAX_PATH_CHARS) throw problem(`it is longer than ${MAX_PATH_CHARS} characters`);
  if (path.startsWith("/")) throw problem("it starts with /");
  if (path.includes("\\")) throw problem("it has a backslash (use / between folders)");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw problem("it has a control character");
  const parts = path.split("/");
  if (parts.length > MAX_DEPTH) throw problem(`it is more than ${MAX_DEPTH} folders deep`);
  for (const part of parts) {
    if (part === "" || part === "." || part === "..") throw problem("a part of it is empty, . or ..");
    if (new TextEncoder().encode(part).length > MAX_PART_BYTES) throw problem(`a part of it is longer than ${MAX_PART_BYTES} bytes`);
  }
  return path;
}

/** Whether `path` is `folder` itself or inside it. */
function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** `files` with `added` in place of any file at its path; refused where a file and a folder would share a path. */
function withFile(files: DraftFile[], added: DraftFile): DraftFile[] {
  for (const file of files) {
    if (file.path.startsWith(`${added.path}/`)) throw new Error(`${added.path} is a folder here: pick another name.`);
    if (added.path.startsWith(`${file.path}/`)) throw new Error(`${file.path} is a file, so it cannot hold ${added.path}.`);
  }
  return [...files.filter((file) => file.path !== added.path), added];
}

export interface DraftFolderHooks {
  /** The notebook on screen: a draft not saved yet is saved with it when it gets a file. */
  notebook(): NotebookFile;
  /** The draft changed in IndexedDB (the drafts list shows it). */
  changed(): void;
}

export class DraftFolder implements FolderStore {
  private draftId: string;
  private revision = 0;
  private readonly cache = new FolderCache();
  /** blob: addresses of the bytes this page has seen, by sha256. */
  private readonly urls = new Map<string, string>();

  constructor(draftId: string, private readonly limits: DraftFolderLimits, private readonly hooks: DraftFolderHooks) {
    this.draftId = draftId;
  }

  /** Show another draft's folder from now on (the panel's next `list`). */
  open(draftId: string): void {
    this.draftId = draftId;
  }

  /** How many files the open draft has (without reading any bytes). */
  async count(): Promise<number> {
    return (await getDraft(this.draftId))?.files?.length ?? 0;
  }

  async list(): Promise<Folder> {
    const draft = await getDraft(this.draftId);
    return this.folder(draft?.files ?? []);
  }

  async upload(files: File[], progress?: (fraction: number) => void): Promise<Folder> {
    // Every file is checked before any is kept: an upload is taken whole or not at all.
    for (const file of files) {
      checkPath(file.name);
      this.checkSize(file.name, file.size);
    }
    const added: DraftFile[] = [];
    let done = 0;
    const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
    for (const file of files) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      added.push(await this.keep(file.name, bytes, file));
      done += file.size;
      progress?.(done / total);
    }
    return this.change((current) => added.reduce(withFile, current));
  }

  async write(path: string, data: BlobPart): Promise<Folder> {
    checkPath(path);
    const blob = new Blob([data]);
    this.checkSize(path, blob.size);
    const file = await this.keep(path, new Uint8Array(await blob.arrayBuffer()), blob);
    return this.change((current) => withFile(current, file));
  }

  rename(from: string, to: string): Promise<Folder> {
    checkPath(to);
    return this.change((current) => {
      const moving = current.filter((file) => within(file.path, from));
      if (moving.length === 0) throw new Error(`${from} is not in this draft's files any more.`);
      let rest = current.filter((file) => !within(file.path, from));
      for (const file of moving) {
        const path = to + file.path.slice(from.length);
        checkPath(path);
        if (rest.some((other) => other.path === path)) throw new Error(`There is already a file ${path}: rename or delete it first.`);
        rest = withFile(rest, { ...file, path });
      }
      return rest;
    });
  }

  remove(path: string): Promise<Folder> {
    // A path already gone (Python deleted a file twice) is no error: the folder is as asked.
    return this.change((current) => current.filter((file) => !within(file.path, path)));
  }

  /** The blob: address of the bytes: a download saves them under the file's name. */
  downloadUrl(_path: string, file: FolderFile): string {
    return file.url;
  }

  private checkSize(path: string, size: number): void {
    if (size > this.limits.fileMaxBytes) {
      throw new Error(
        `${path} is ${sizeInWords(size)}: a file may be at most ${sizeInWords(this.limits.fileMaxBytes)} ` +
          "(the same limit as in your account). Nothing was added; split it or make it smaller.",
      );
    }
  }

  /** Keep the bytes by hash (before the draft names them); `source` backs the blob: address. */
  private async keep(path: string, bytes: Uint8Array, source: Blob): Promise<DraftFile> {
    const sha256 = await sha256Hex(bytes);
    if (!(await this.cache.put(sha256, bytes))) {
      throw new Error(`${path} could not be kept in this browser (its storage for this site may be full, or a private window refuses it). Nothing was added.`);
    }
    if (!this.urls.has(sha256)) this.urls.set(sha256, URL.createObjectURL(source));
    return { path, size: bytes.length, sha256 };
  }

  private async change(change: (files: DraftFile[]) => DraftFile[]): Promise<Folder> {
    const id = this.draftId;
    const draft = await saveDraftFiles(id, () => this.hooks.notebook(), (current) => {
      const files = change(current);
      if (files.length > this.limits.filesMax) {
        throw new Error(`A draft may have at most ${this.limits.filesMax} files (as a notebook in your account). Nothing was added.`);
      }
      return files;
    });
    this.hooks.changed();
    return this.folder(draft.files ?? []);
  }

  private async folder(files: DraftFile[]): Promise<Folder> {
    const listed: FolderFile[] = [];
    for (const file of files) listed.push({ ...file, url: await this.urlOf(file) });
    this.revision += 1;
    return { revision: this.revision, files: listed };
  }

  private async urlOf(file: DraftFile): Promise<string> {
    const known = this.urls.get(file.sha256);
    if (known) return known;
    const bytes = await this.cache.get(file.sha256);
    // Bytes this browser lost (its storage was cleared): Python's open() says EIO.
    if (!bytes) return "";
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    this.urls.set(file.sha256, url);
    return url;
  }
}

/** Delete a draft and the bytes of its files that no other draft names. */
export async function deleteDraftWithFiles(id: string): Promise<void> {
  const draft = await getDraft(id);
  await deleteDraft(id);
  const hashes = new Set((draft?.files ?? []).map((file) => file.sha256));
  if (hashes.size === 0) return;
  for (const other of await listDrafts()) {
    for (const file of other.files ?? []) hashes.delete(file.sha256);
  }
  await new FolderCache().delete(hashes);
}

/** A draft's files with their bytes ("Save to account"), and the paths whose bytes this browser no longer has. */
export async function draftFilesWithBytes(id: string): Promise<{ files: { path: string; data: ArrayBuffer }[]; missing: string[] }> {
  const draft = await getDraft(id);
  const cache = new FolderCache();
  const files: { path: string; data: ArrayBuffer }[] = [];
  const missing: string[] = [];
  for (const file of draft?.files ?? []) {
    const bytes = await cache.get(file.sha256);
    if (bytes) files.push({ path: file.path, data: bytes.slice().buffer });
    else missing.push(file.path);
  }
  return { files, missing };
}
