// Files in Pyodide's in-memory file system whose bytes come on first open: the
// technique shared by the notebook's folder (folder_mount.ts) and a bucket of
// the user's own (bucket_mount.ts). A lazy node reports its real size at once
// (os.stat, os.listdir see it) and fills itself when Python opens it: the worker
// may block, and Python is waiting in open(). On a cross-origin isolated page
// the bytes come by a streamed fetch() in a worker of the kernel's own
// (download_worker.ts) into shared memory, while this worker waits on it;
// elsewhere by a synchronous XMLHttpRequest.

// The small part of Emscripten's FS (Pyodide's `pyodide.FS`) the mounts use.
export interface FSNode {
  mode: number;
  mtime: number;
  contents: Uint8Array | null;
  usedBytes: number;
  node_ops: { setattr(node: FSNode, attr: { size?: number }): void } & Record<string, unknown>;
  stream_ops: { open?(stream: unknown): void } & Record<string, unknown>;
}
export interface EmscriptenFS {
  lookupPath(path: string, options?: object): { node: FSNode };
  analyzePath(path: string): { exists: boolean; object: FSNode | null };
  mkdirTree(path: string): void;
  readdir(path: string): string[];
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  rmdir(path: string): void;
  ErrnoError: new (errno: number) => Error;
}

/** Emscripten's errno for an I/O error: Python sees OSError (EIO). */
export const EIO = 29;
/** Emscripten's errno for an interrupted call: Python checks its signals (KeyboardInterrupt), then retries. */
export const EINTR = 27;

// The words a download shares with download_worker.ts, and their values.
export const STATE = 0;
export const STATUS = 1;
export const CANCELLED = 2;
export const RUNNING = 0;
export const DONE = 1;
export const FAILED = 2;
/** The answer's length is not the size expected: the kernel worker downloads the file itself. */
export const OTHER_SIZE = 3;
/** How often a waiting open() looks at the interrupt word, in ms. */
const INTERRUPT_CHECK_MS = 50;

/**
 * Until its first open `node` reports `size` and holds no bytes; opening it (or
 * truncating it to a length other than 0) calls `download`. Truncating to 0
 * (`open(..., "w")`) downloads nothing.
 */
export function makeLazy(node: FSNode, size: number, download: () => Uint8Array): void {
  const nodeOps = node.node_ops;
  const streamOps = node.stream_ops;
  const fill = (bytes: Uint8Array) => {
    node.contents = bytes;
    node.usedBytes = bytes.length;
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
  };
  node.usedBytes = size;
  node.node_ops = {
    ...nodeOps,
    setattr: (target: FSNode, attr: { size?: number }) => {
      if (attr.size === 0) fill(new Uint8Array(0)); // the old bytes are not needed
      else if (attr.size !== undefined) fill(download());
      nodeOps.setattr(target, attr);
    },
  };
  node.stream_ops = {
    ...streamOps,
    open: (stream: unknown) => {
      fill(download());
      streamOps.open?.(stream);
    },
  };
}

/** The downloads of one kernel worker's lazy files. */
export class Downloader {
  private readonly worker: Worker | null = null;
  /** Set to 1 by the download worker once it runs: until then, downloads are synchronous. */
  private readonly ready: Int32Array | null = null;

  /**
   * `interrupted` says whether the person asked to stop the run (Pyodide's interrupt
   * word); when it says yes, it has made Python raise KeyboardInterrupt on EINTR.
   */
  constructor(private readonly interrupted: () => boolean) {
    if (typeof SharedArrayBuffer !== "function" || !globalThis.crossOriginIsolated) return;
    try {
      this.worker = new Worker(new URL("./download_worker.ts", import.meta.url), { type: "module", name: "playground-downloads" });
      this.ready = new Int32Array(new SharedArrayBuffer(4));
      this.worker.postMessage({ ready: this.ready.buffer });
    } catch (error) {
      console.warn("playground: downloads of folder files will be synchronous", error);
      this.worker = null;
    }
  }

  /**
   * The `size` bytes at `url`, now (Python is waiting in open()). A failure is
   * `ErrnoError(EIO)` after a console warning naming `label` and `hint` (what the
   * user can do); an interrupt while waiting is EINTR, which Python turns into
   * KeyboardInterrupt.
   */
  download(fs: EmscriptenFS, url: string, size: number, label: string, hint: string): Uint8Array {
    if (this.worker === null || this.ready === null || Atomics.load(this.ready, 0) !== 1) {
      return downloadNow(fs, url, label, hint);
    }
    const control = new Int32Array(new SharedArrayBuffer(12));
    const data = new SharedArrayBuffer(size);
    this.worker.postMessage({ url, control: control.buffer, data });
    while (Atomics.load(control, STATE) === RUNNING) {
      Atomics.wait(control, STATE, RUNNING, INTERRUPT_CHECK_MS);
      if (Atomics.load(control, STATE) === RUNNING && this.interrupted()) {
        Atomics.store(control, CANCELLED, 1);
        throw new fs.ErrnoError(EINTR);
      }
    }
    const state = Atomics.load(control, STATE);
    if (state === DONE) return new Uint8Array(data);
    if (state === OTHER_SIZE) return downloadNow(fs, url, label, hint); // changed since it was listed
    const status = Atomics.load(control, STATUS);
    throw downloadFailed(fs, label, hint, status ? ` (HTTP ${status})` : "");
  }
}

/** After a console warning naming `label`, `detail` and `hint`: the error Python sees (EIO). */
function downloadFailed(fs: EmscriptenFS, label: string, hint: string, detail: string, cause?: unknown): Error {
  console.warn(`playground: ${label} could not be downloaded${detail}; ${hint}`, ...(cause === undefined ? [] : [cause]));
  return new fs.ErrnoError(EIO);
}

/**
 * The bytes at `url`, now, by a synchronous XMLHttpRequest (allowed in a
 * worker). Any failure is `ErrnoError(EIO)`, after a console warning naming
 * `label` and `hint` (what the user can do).
 */
export function downloadNow(fs: EmscriptenFS, url: string, label: string, hint: string): Uint8Array {
  const request = new XMLHttpRequest();
  try {
    request.open("GET", url, false);
    request.responseType = "arraybuffer";
    request.send();
  } catch (error) {
    throw downloadFailed(fs, label, hint, "", error);
  }
  if (request.status !== 200 || !(request.response instanceof ArrayBuffer)) {
    throw downloadFailed(fs, label, hint, ` (HTTP ${request.status})`);
  }
  return new Uint8Array(request.response);
}

/** Python's bytecode caches: never reported as written files. */
const IGNORED_DIRS = new Set(["__pycache__"]);

/** Every regular file under `root` (symbolic links not followed), by path relative to it. */
export function filesUnder(fs: EmscriptenFS, root: string): Map<string, FSNode> {
  const found = new Map<string, FSNode>();
  const walk = (relative: string): void => {
    let names: string[];
    try {
      names = fs.readdir(relative ? `${root}/${relative}` : root);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === "." || name === ".." || IGNORED_DIRS.has(name)) continue;
      const path = relative ? `${relative}/${name}` : name;
      let node: FSNode;
      try {
        node = fs.lookupPath(`${root}/${path}`, { follow: false }).node;
      } catch {
        continue;
      }
      if (fs.isDir(node.mode)) walk(path);
      else if (fs.isFile(node.mode)) found.set(path, node);
    }
  };
  walk("");
  return found;
}
