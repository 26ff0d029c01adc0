// The notebook's folder (docs/folders.md) as Python's working directory in the
// kernel worker: FOLDER_ROOT in Pyodide's in-memory file system, on sys.path so
// `import helpers` finds helpers.py.
//
// Files are lazy: each one is created with its real size (os.stat and
// os.listdir see it at once) and gets its bytes on first open, from its signed
// `url` (lazy_file.ts; the address is on the frame's own origin). Bytes are kept by content hash in IndexedDB
// (folder_cache.ts): files this browser already has are filled at mount,
// without the network.
//
// After each run, `scan()` finds what Python created, changed or deleted here
// (against what was mounted), for the host to save. A folder update (`apply()`)
// never overwrites a file Python changed and the host has not confirmed: it is
// kept until an update holds the same bytes (saved) or the page goes.

import { FolderCache, sha256Hex } from "./folder_cache";
import type { FolderFile, WrittenFile } from "./messages";
import { filesUnder, makeLazy, type Downloader, type EmscriptenFS, type FSNode } from "./lazy_file";

export const FOLDER_ROOT = "/home/pyodide/notebook";

/** Bytes from IndexedDB filled into files at mount, at most: larger folders read the rest on open. */
const PREFILL_BUDGET_BYTES = 64 * 1024 * 1024;

/** What this worker knows of one path in the folder. */
interface Entry {
  /** The service's file at this path, from the latest update; null if Python made it and it is not saved yet. */
  remote: FolderFile | null;
  /** Hash of the bytes this FS holds (for a lazy file not filled yet: the remote's). */
  sha256: string;
  node: FSNode;
  /** node.mtime when last mounted or scanned: any other value means Python changed it since. */
  mtime: number;
  /** Python wrote these bytes; the host has not sent them back as the folder's yet. */
  unsaved: boolean;
}

export interface FolderScan {
  written: WrittenFile[];
  removed: string[];
}

export class FolderMount {
  private readonly fs: EmscriptenFS;
  private readonly entries = new Map<string, Entry>();
  /** Paths Python deleted that the folder still had at the last update. */
  private readonly removedLocally = new Set<string>();
  private readonly cache = new FolderCache();
  /** Scans and updates, one at a time, in order. */
  private work: Promise<unknown> = Promise.resolve();

  constructor(
    fs: unknown,
    private readonly downloads: Downloader,
  ) {
    this.fs = fs as EmscriptenFS;
    this.fs.mkdirTree(FOLDER_ROOT);
  }

  /**
   * Make the folder the service holds (`files`) this one: new and changed files
   * appear (lazy), removed ones go, except what Python changed and has not had
   * saved. Returns the paths whose bytes changed here (modules to re-import).
   */
  apply(files: FolderFile[]): Promise<string[]> {
    return this.serialize(() => this.applyNow(files));
  }

  /** After a run: what Python created, changed or deleted since the last mount or scan. */
  scan(): Promise<FolderScan> {
    return this.serialize(() => this.scanNow());
  }

  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.work.then(step);
    this.work = next.catch(() => undefined);
    return next;
  }

  private async applyNow(files: FolderFile[]): Promise<string[]> {
    const changed: string[] = [];
    const wanted = new Map(files.map((f) => [f.path, f]));
    const cached = await this.cache.hashes();
    let budget = PREFILL_BUDGET_BYTES;
    const fresh: { path: string; file: FolderFile }[] = [];

    for (const [path, file] of wanted) {
      const entry = this.entries.get(path);
      if (entry) {
        const touched = this.touchedByPython(path, entry);
        entry.remote = file;
        if (!touched && entry.sha256 === file.sha256) {
          entry.unsaved = false; // Python's write came back as the folder's: saved
          continue;
        }
        if (touched || entry.unsaved) continue; // what Python wrote wins here until it is saved
        this.remove(path);
      } else if (this.removedLocally.has(path) || this.fs.analyzePath(this.full(path)).exists) {
        // Python deleted it (not saved yet), or made a file there since the last scan: keep Python's.
        continue;
      }
      fresh.push({ path, file });
    }
    for (const [path, entry] of [...this.entries]) {
      if (wanted.has(path)) continue;
      if (entry.unsaved || this.touchedByPython(path, entry)) {
        entry.remote = null;
        continue;
      }
      this.remove(path);
      changed.push(path);
    }
    for (const path of [...this.removedLocally]) {
      if (!wanted.has(path)) this.removedLocally.delete(path); // the deletion was saved
    }
    for (const { path, file } of fresh) {
      let bytes: Uint8Array | null = null;
      if (cached.has(file.sha256) && file.size <= budget) {
        bytes = await this.cache.get(file.sha256);
        if (bytes) budget -= bytes.length;
      }
      if (this.create(path, file, bytes)) changed.push(path);
    }
    return changed;
  }

  /** Whether Python changed or replaced the file at `path` since it was mounted or last scanned. */
  private touchedByPython(path: string, entry: Entry): boolean {
    const found = this.fs.analyzePath(this.full(path));
    return !found.exists || found.object !== entry.node || entry.node.mtime !== entry.mtime;
  }

  private full(path: string): string {
    return `${FOLDER_ROOT}/${path}`;
  }

  /** A file with `file`'s size whose bytes come on first open (or `bytes`, already here). */
  private create(path: string, file: FolderFile, bytes: Uint8Array | null): boolean {
    const full = this.full(path);
    try {
      this.fs.mkdirTree(full.slice(0, full.lastIndexOf("/")));
      this.fs.writeFile(full, new Uint8Array(0));
    } catch (error) {
      // A folder of Python's where the file should be, or the other way round.
      console.warn(`playground: ${path} could not be put in the notebook's folder`, error);
      return false;
    }
    const node = this.fs.lookupPath(full).node;
    const entry: Entry = { remote: file, sha256: file.sha256, node, mtime: node.mtime, unsaved: false };
    this.entries.set(path, entry);
    if (bytes) {
      node.contents = bytes;
      node.usedBytes = bytes.length;
    } else {
      makeLazy(node, file.size, () => this.download(entry));
    }
    this.dropBytecode(path);
    return true;
  }

  /** The bytes of a lazy file, now (Python is waiting in open()). */
  private download(entry: Entry): Uint8Array {
    const file = entry.remote;
    if (!file) return new Uint8Array(0);
    const bytes = this.downloads.download(this.fs, file.url, file.size, file.path, "reload the page if its address expired");
    // Kept for next time once Python is done with this run: hashing and storing copy
    // the bytes, which would otherwise delay the open() that is waiting for them.
    setTimeout(() => void this.cache.put(file.sha256, bytes), 0);
    return bytes;
  }

  private remove(path: string): void {
    this.entries.delete(path);
    try {
      this.fs.unlink(this.full(path));
    } catch {
      // already gone
    }
    this.dropBytecode(path);
    this.removeEmptyParents(path);
  }

  /** A replaced module must not be imported from its old bytecode (same size, same second). */
  private dropBytecode(path: string): void {
    if (!path.endsWith(".py")) return;
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? FOLDER_ROOT : this.full(path.slice(0, slash));
    const stem = path.slice(slash + 1, -3);
    try {
      for (const name of this.fs.readdir(`${dir}/__pycache__`)) {
        if (name.startsWith(`${stem}.`) && name.endsWith(".pyc")) this.fs.unlink(`${dir}/__pycache__/${name}`);
      }
    } catch {
      // no bytecode
    }
  }

  private removeEmptyParents(path: string): void {
    const parts = path.split("/").slice(0, -1);
    while (parts.length > 0) {
      const dir = this.full(parts.join("/"));
      try {
        if (this.fs.readdir(dir).some((name) => name !== "." && name !== "..")) return;
        this.fs.rmdir(dir);
      } catch {
        return;
      }
      parts.pop();
    }
  }

  private async scanNow(): Promise<FolderScan> {
    const found = filesUnder(this.fs, FOLDER_ROOT);
    const candidates: { path: string; node: FSNode; bytes: Uint8Array }[] = [];
    for (const [path, node] of found) {
      const entry = this.entries.get(path);
      if (entry && entry.node === node && entry.mtime === node.mtime) continue;
      candidates.push({ path, node, bytes: this.fs.readFile(this.full(path)) });
    }
    const removed: string[] = [];
    for (const path of [...this.entries.keys()]) {
      if (found.has(path)) continue;
      this.entries.delete(path);
      // Until an update without it: its deletion may be on its way (or the save of it that came first).
      this.removedLocally.add(path);
      removed.push(path);
    }
    const written: WrittenFile[] = [];
    for (const { path, node, bytes } of candidates) {
      const sha256 = await sha256Hex(bytes);
      const before = this.entries.get(path);
      this.removedLocally.delete(path);
      if (before && before.sha256 === sha256) {
        // Written again with the same bytes: nothing to save.
        before.node = node;
        before.mtime = node.mtime;
        continue;
      }
      const remote = before?.remote ?? null;
      this.entries.set(path, { remote, sha256, node, mtime: node.mtime, unsaved: remote?.sha256 !== sha256 });
      if (remote?.sha256 !== sha256) written.push({ path, data: bytes.slice().buffer });
    }
    return { written, removed };
  }
}
