// A bucket of the user's own (docs/folders.md, "Your own bucket") as a folder of
// Python's, in the kernel worker: every object under the mounted prefix is a lazy
// file (lazy_file.ts) at `root` + its key less the prefix, with its real size,
// read on first open from a presigned GET address the page made.
//
// This worker never holds the bucket's keys: the page signs (bucket/), the worker
// only fetches the addresses it is given, each for one object and one method,
// expiring within the hour. After each run `scan()` finds what Python created,
// changed or deleted under `root`; the page signs a PUT or DELETE for each and the
// worker sends them (`sync`). A mount update (`apply`, the page's refresh of the
// addresses) never overwrites what Python changed and has not had sent yet.

import { filesUnder, makeLazy, type Downloader, type EmscriptenFS, type FSNode } from "./lazy_file";
import type { BucketFile, BucketRequest, BucketRequestResult, BucketWrite } from "./messages";


interface Entry {
  /** The object's address and size, from the latest listing; null when only Python made it. */
  remote: BucketFile | null;
  /** The bucket has an object at this key (listed, or sent by a PUT): deleting the file deletes it. */
  stored: boolean;
  node: FSNode;
  /** node.mtime when mounted or last sent: any other value means Python changed the file since. */
  mtime: number;
}

export class BucketMount {
  private readonly fs: EmscriptenFS;
  readonly root: string;
  private readonly entries = new Map<string, Entry>();

  constructor(
    fs: unknown,
    root: string,
    private readonly downloads: Downloader,
  ) {
    this.fs = fs as EmscriptenFS;
    this.root = root;
    this.fs.mkdirTree(root);
  }

  /** The listing the page made (fresh addresses): new objects appear, gone ones go, Python's changes stay. */
  apply(files: BucketFile[]): void {
    const wanted = new Map(files.map((f) => [f.path, f]));
    for (const [path, entry] of [...this.entries]) {
      const file = wanted.get(path);
      if (this.touchedByPython(path, entry)) {
        if (file) entry.remote = file;
        continue;
      }
      if (file && entry.remote && file.size === entry.remote.size && file.etag === entry.remote.etag) {
        entry.remote = file; // same object: only its address is new
        continue;
      }
      this.remove(path);
    }
    for (const [path, file] of wanted) {
      if (!this.entries.has(path) && !this.fs.analyzePath(this.full(path)).exists) this.create(path, file);
    }
  }

  /** Take every file of the mount out of Python's file system (unmount, Forget). */
  clear(): void {
    for (const path of [...this.entries.keys()]) this.remove(path);
    this.removeTree(this.root);
  }

  /** After a run: the files Python created or changed under the mount, and the paths it deleted. */
  scan(): { files: BucketWrite[]; removed: string[] } {
    const found = filesUnder(this.fs, this.root);
    const files: BucketWrite[] = [];
    for (const [path, node] of found) {
      const entry = this.entries.get(path);
      if (entry && entry.node === node && entry.mtime === node.mtime) continue;
      files.push({ path, size: node.usedBytes });
    }
    const removed: string[] = [];
    for (const [path, entry] of [...this.entries]) {
      if (found.has(path)) continue;
      if (entry.stored) removed.push(path);
      else this.entries.delete(path);
    }
    return { files, removed };
  }

  /** Send Python's writes with the addresses the page signed; a failed one is tried again after the next run. */
  async sync(requests: BucketRequest[]): Promise<BucketRequestResult[]> {
    const results: BucketRequestResult[] = [];
    for (const request of requests) {
      const full = this.full(request.path);
      let node: FSNode | null = null;
      let body: Uint8Array | undefined;
      if (request.method === "PUT") {
        const found = this.fs.analyzePath(full);
        if (!found.exists || !found.object || !this.fs.isFile(found.object.mode)) continue; // gone since the scan
        node = found.object;
        body = this.fs.readFile(full);
      }
      const mtime = node?.mtime ?? 0;
      let status = 0;
      let error = "";
      try {
        const response = await fetch(request.url, {
          method: request.method,
          body: body as BodyInit | undefined,
          headers: body ? { "Content-Type": "application/octet-stream" } : {},
        });
        status = response.status;
        if (!response.ok) error = `HTTP ${response.status}`;
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
      const ok = error === "";
      if (ok && node) {
        const previous = this.entries.get(request.path);
        this.entries.set(request.path, { remote: previous?.remote ?? null, stored: true, node, mtime });
      } else if (ok) {
        this.entries.delete(request.path);
      }
      results.push({ path: request.path, method: request.method, ok, status, error });
    }
    return results;
  }

  private touchedByPython(path: string, entry: Entry): boolean {
    const found = this.fs.analyzePath(this.full(path));
    return !found.exists || found.object !== entry.node || entry.node.mtime !== entry.mtime;
  }

  private full(path: string): string {
    return `${this.root}/${path}`;
  }

  private create(path: string, file: BucketFile): void {
    const full = this.full(path);
    try {
      this.fs.mkdirTree(full.slice(0, full.lastIndexOf("/")));
      this.fs.writeFile(full, new Uint8Array(0));
    } catch (error) {
      console.warn(`playground: the bucket's ${path} could not be put at ${full}`, error);
      return;
    }
    const node = this.fs.lookupPath(full).node;
    const entry: Entry = { remote: file, stored: true, node, mtime: node.mtime };
    this.entries.set(path, entry);
    makeLazy(node, file.size, () =>
      this.downloads.download(this.fs, entry.remote?.url ?? file.url, entry.remote?.size ?? file.size, `the bucket's ${path}`, "mount the bucket again if its addresses expired"),
    );
  }

  private remove(path: string): void {
    this.entries.delete(path);
    try {
      this.fs.unlink(this.full(path));
    } catch {
      // already gone
    }
  }

  /** Empty folders left under the mount (after clear) go too. */
  private removeTree(dir: string): void {
    let names: string[];
    try {
      names = this.fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === "." || name === "..") continue;
      const full = `${dir}/${name}`;
      try {
        const node = this.fs.lookupPath(full, { follow: false }).node;
        if (this.fs.isDir(node.mode)) {
          this.removeTree(full);
          this.fs.rmdir(full);
        }
      } catch {
        // Python's own file there: left alone
      }
    }
  }
}
