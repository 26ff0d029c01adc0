// Typed messages between the page and the kernel worker.
//
// Two layers cross postMessage:
// - protocol messages (docs/protocol.md): commands in, events out, exactly the
//   JSON objects the stdio kernel reads and writes, wrapped unchanged in
//   { kind: "command" } / { kind: "event" };
// - worker-control messages (this file only): boot, boot progress, requests
//   that use the runtime's Python without being protocol commands (parse a
//   notebook file, serialize cells to our .py, install packages), busy/idle,
//   and package notices for a cell.

// ---------------------------------------------------------------- protocol
// Generated from the protocol's JSON Schema (protocol.generated.ts), so these
// types cannot drift from the kernel; the names below are views of them.

import type { CellConfig, Command, KernelEvent, VariableInfo } from "./protocol.generated";

export type { CellConfig, Command, KernelEvent, VariableInfo };
export type CellKind = NonNullable<Extract<Command, { type: "create_cell" }>["kind"]>;
export type CellStatusName = Extract<KernelEvent, { type: "cell_status" }>["status"];
export type CellErrorKind = Extract<KernelEvent, { type: "cell_error" }>["kind"];
export type MimeBundle = Extract<KernelEvent, { type: "output" }>["data"];

// ---------------------------------------------------------- notebook files

/** One cell of a notebook file, as kernels.runtime.notebook.Cell (name = the protocol's cell_id). */
export interface NotebookCell {
  name: string;
  code: string;
  kind: CellKind;
  config: CellConfig;
}

export interface NotebookFile {
  cells: NotebookCell[];
  /** Text before the first cell, kept verbatim; null = our default header. */
  header: string | null;
}

// ------------------------------------------------------------ page → worker

export interface BootOptions {
  /** Absolute URL of /static/pyodide/ (Pyodide's indexURL). */
  indexURL: string;
  /** Absolute URL of the memory snapshot, or null to boot normally. */
  snapshotUrl: string | null;
  runtimeWheelUrl: string;
  micropipWheelUrl: string;
  /** Absolute URL of the PEP 691 index with a {package_name} placeholder. */
  wheelIndexUrl: string;
  /** Absolute base URL of Pyodide's compiled packages, or null when the server has none. */
  pyodidePackagesUrl: string | null;
  /**
   * Memory shared with the page (sync_buffer.ts): the interrupt word, and the
   * reply to input(). Null when the page is not cross-origin isolated.
   */
  syncBuffer: SharedArrayBuffer | null;
  /**
   * "kernel" (default) runs notebooks; "formats" only parses and serializes, for
   * the page while the kernel is busy or dead (kernel/formats.ts).
   */
  role?: "kernel" | "formats";
}

// ------------------------------------------------------- the notebook's folder

/** One file of the notebook's folder (docs/folders.md): the API's answer, as the host passes it on. */
export interface FolderFile {
  /** Relative, "/" between folders: "data/2024/sales.csv". */
  path: string;
  size: number;
  sha256: string;
  /** Signed address of the bytes on the user-content origin (the frame's own). */
  url: string;
}

/** A file Python created or changed in the folder during a run. */
export interface WrittenFile {
  path: string;
  data: ArrayBuffer;
}

// ------------------------------------------------- a bucket of the user's own

/** One object of a mounted bucket (docs/folders.md, "Your own bucket"), as the page lists and signs it. */
export interface BucketFile {
  /** Its key less the mounted prefix: "2024/sales.csv". */
  path: string;
  size: number;
  /** The listing's ETag: the same object when it comes again with a fresh address. */
  etag: string;
  /** A presigned GET address (query-string SigV4, expiring): the worker never sees the keys. */
  url: string;
}

/** The bucket as Python's folder `root` (under /mnt/), or none. */
export interface BucketMountSpec {
  root: string;
  files: BucketFile[];
}

/** A file Python created or changed under the bucket's folder; its bytes stay in the worker. */
export interface BucketWrite {
  path: string;
  size: number;
}

/** One change the page signed for the worker to send: the file's bytes go with a PUT. */
export interface BucketRequest {
  path: string;
  method: "PUT" | "DELETE";
  url: string;
}

export interface BucketRequestResult {
  path: string;
  method: "PUT" | "DELETE";
  ok: boolean;
  /** The bucket's HTTP status, 0 when there was no answer (network, CORS). */
  status: number;
  error: string;
}

export type WorkerRequest =
  | { op: "parse"; source: string }
  | { op: "serialize"; notebook: NotebookFile }
  | { op: "install"; packages: string[] }
  /** GET a presigned listing address (the page cannot: its CSP allows only its own origin). */
  | { op: "bucket-list"; url: string }
  | { op: "bucket-sync"; requests: BucketRequest[] };

export interface WorkerResults {
  parse: NotebookFile;
  serialize: string;
  install: PackageReport[];
  /** status 0: no answer (network, CORS); `text` then says why. */
  "bucket-list": { status: number; text: string };
  "bucket-sync": BucketRequestResult[];
}

export type ToWorker =
  | { kind: "boot"; options: BootOptions }
  | { kind: "command"; command: Command }
  | { kind: "request"; id: number; request: WorkerRequest }
  /** The notebook's folder, whole (at open and after every change): mounted as Python's working directory. */
  | { kind: "folder"; files: FolderFile[] }
  /** A bucket of the user's own as a folder of Python's (null: unmount); a queued step like the folder. */
  | { kind: "bucket"; mount: BucketMountSpec | null };

// ------------------------------------------------------------ worker → page

export type BootStage = "loading-python" | "restoring-snapshot" | "installing-runtime" | "starting-kernel";

export interface PackageReport {
  /** The name as imported (`import bs4`) or as asked for. */
  module: string;
  /** The project installed or tried (`beautifulsoup4`). */
  project: string;
  outcome: "installed" | "failed" | "unavailable";
  message: string;
}

export type FromWorker =
  | { kind: "boot-progress"; stage: BootStage; detail: string }
  | { kind: "ready"; ready: Extract<KernelEvent, { type: "kernel_ready" }>; bootMs: number; snapshot: "restored" | "none" | "failed" }
  | { kind: "boot-failed"; message: string }
  /** A worker booted with role "formats" answers parse and serialize requests from now on. */
  | { kind: "formats-ready" }
  | { kind: "event"; event: KernelEvent }
  | { kind: "busy"; busy: boolean }
  | { kind: "response"; id: number; ok: true; result: unknown }
  | { kind: "response"; id: number; ok: false; error: string }
  /** What happened to a cell's imports before it ran; level "progress" is replaced by the outcome. */
  | { kind: "package-notice"; cell_id: string; level: "progress" | "info" | "error"; text: string }
  /** After a run: files Python created or changed in the folder, and the paths it deleted. */
  | { kind: "files-written"; files: WrittenFile[]; removed: string[] }
  /** After a run: files Python created, changed or deleted under the mounted bucket's folder. */
  | { kind: "bucket-written"; root: string; files: BucketWrite[]; removed: string[] };
