// The kernel worker: Pyodide plus kernels.runtime, driven by messages.ts.
//
// Boot: restore the memory snapshot when there is one (falling back to a
// normal boot if it fails), make the runtime importable, start the kernel
// (kernels/transports/worker.py, in the runtime wheel). Then protocol commands
// go into its session's queue (kernels/transports/session.py, the same loop as
// over stdio) and are applied one at a time, in order, by one Python consumer
// task, which merges bursts of set_ui_value into one run;
// before a run, the imports of the cells it may run are installed
// (packages/install.ts), queued as a step of their own.
// Interrupts: the page writes 2 into the shared interrupt word (sync_buffer.ts),
// which stops Python busy in a cell, sleeping or waiting in input(); an
// `interrupt` command is also handled at once (not queued) so a cell awaiting
// something is cancelled. The word is cleared before each command so an old
// interrupt cannot hit the next one.
// Blocking: worker.py's time.sleep and input() block this worker on the shared
// memory (Atomics.wait) instead of Pyodide's stack switching; without shared
// memory (a page that is not cross-origin isolated) they cannot wait.
// The notebook's folder (hosted pages): mounted as Python's working directory
// by folder_mount.ts, as a queued step, so it is in place before the runs
// queued after it; after each run_completed, what Python wrote there goes back
// to the page (`files-written`).
// A bucket of the user's own (bucket_mount.ts): mounted the same way, as a
// queued step; the page signs every address (the keys never come here), this
// worker only fetches them: the listing, each object on first open, and after a
// run the PUTs and DELETEs for what Python changed (`bucket-written`, then the
// page's `bucket-sync`).

import { loadPyodide, type PyodideAPI } from "pyodide";
import type { PyProxy } from "pyodide/ffi";
import type { BootOptions, BootStage, BucketMountSpec, Command, FolderFile, FromWorker, NotebookFile, ToWorker, WorkerRequest } from "./messages";
import { BucketMount } from "./bucket_mount";
import { FOLDER_ROOT, FolderMount } from "./folder_mount";
import { Downloader } from "./lazy_file";
import { PackageInstaller } from "../packages/install";
import { SyncBuffer } from "./sync_buffer";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** Environment variables Python sees, the same for a fresh boot and a restored snapshot. */
const PYTHON_ENV = { HOME: "/home/pyodide" };

/** kernels.transports.worker.WorkerSession */
interface Bridge extends PyProxy {
  put_json(text: string): void;
  put_call(call: () => Promise<void>): void;
  interrupt(): void;
  ready_json(): string;
}

let bridge: Bridge | null = null;
/** kernels.transports.worker_requests (notebook files, a cell's imports) */
let requestsModule: PyProxy | null = null;
let installer: PackageInstaller | null = null;
let sync: SyncBuffer | null = null;
let pyodide: PyodideAPI | null = null;
/** The notebook's folder, once a page sent one (the standalone playground has none). */
let folder: FolderMount | null = null;
/** A bucket of the user's own, once the page mounted one. */
let bucket: BucketMount | null = null;
/** The downloads of the folder's and the bucket's lazy files, made as the kernel boots. */
let downloads: Downloader | null = null;
/** Protocol commands this kernel knows (kernels.runtime.protocol.COMMANDS). */
let kernelCommands = new Set<string>();

/** Notebook cells as the kernel knows them, to find the imports of cells about to run. */
const cellCode = new Map<string, { code: string; kind: string }>();

type QueueItem =
  | { kind: "command"; command: Command }
  | { kind: "request"; id: number; request: WorkerRequest }
  | { kind: "folder"; files: FolderFile[] }
  | { kind: "bucket"; mount: BucketMountSpec | null };
/** What arrived before the kernel was ready; handed to the bridge once it is. */
const pending: QueueItem[] = [];
let booted: Promise<void> | null = null;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function progress(stage: BootStage, detail: string): void {
  post({ kind: "boot-progress", stage, detail });
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.kind) {
    case "boot":
      booted ??= boot(message.options).then(
        () => {
          for (const item of pending.splice(0)) {
            if (bridge === null && item.kind === "request") void answer(item.id, item.request);
            else enqueue(item);
          }
        },
        (error: unknown) => post({ kind: "boot-failed", message: errorText(error) }),
      );
      return;
    case "command":
      if (message.command.type === "interrupt") {
        // Out of band: queued behind the running cell it would come too late.
        bridge?.interrupt();
        return;
      }
      enqueue({ kind: "command", command: message.command });
      return;
    case "request":
      // Bucket requests need only the network: at once, even before boot or during a run.
      if (message.request.op === "bucket-list" || message.request.op === "bucket-sync") {
        void answer(message.id, message.request);
        return;
      }
      // Parsing and serializing are pure: answer at once, even during a run.
      if (message.request.op !== "install" && requestsModule !== null) {
        answer(message.id, message.request);
        return;
      }
      enqueue(message);
      return;
    case "folder":
    case "bucket":
      enqueue(message);
      return;
  }
};

async function boot(options: BootOptions): Promise<void> {
  const started = performance.now();
  sync = options.syncBuffer ? new SyncBuffer(options.syncBuffer) : null;
  // Now, not at the first mount: a worker of this worker's cannot start while Python is busy.
  if (options.role !== "formats") lazyDownloads();
  let snapshotOutcome: "restored" | "none" | "failed" = "none";
  // Start both downloads now, so they overlap the wasm compile.
  const wheel = fetchBytes(options.runtimeWheelUrl);
  wheel.catch(() => undefined);
  let py: PyodideAPI | null = null;
  if (options.snapshotUrl !== null) {
    progress("restoring-snapshot", "restoring Python from a snapshot");
    try {
      py = await loadPyodide({
        indexURL: options.indexURL,
        env: PYTHON_ENV,
        ...(options.pyodidePackagesUrl ? { packageBaseUrl: options.pyodidePackagesUrl } : {}),
        _loadSnapshot: fetchBytes(options.snapshotUrl),
      });
      snapshotOutcome = "restored";
    } catch (error) {
      console.warn("playground: the Python snapshot could not be restored; booting normally.", error);
      snapshotOutcome = "failed";
    }
  }
  if (py === null) {
    progress("loading-python", "loading Python");
    py = await loadPyodide({
      indexURL: options.indexURL,
      env: PYTHON_ENV,
      ...(options.pyodidePackagesUrl ? { packageBaseUrl: options.pyodidePackagesUrl } : {}),
    });
  }
  const pythonAt = performance.now();
  progress("installing-runtime", "installing the notebook runtime");
  // A snapshot has the runtime imported but not its files; unpack them so
  // lazy imports work. A fresh interpreter installs the wheel properly.
  const wheelBytes = await wheel;
  py.FS.mkdirTree("/tmp");
  py.FS.writeFile("/tmp/playground_runtime.whl", wheelBytes);
  if (snapshotOutcome !== "restored") {
    py.runPython(`
import importlib, site, zipfile
with zipfile.ZipFile("/tmp/playground_runtime.whl") as _wheel:
    _wheel.extractall(site.getsitepackages()[0])
importlib.invalidate_caches()
del _wheel
`);
  }
  progress("starting-kernel", "starting the kernel");
  // After a restore these modules are already imported (the snapshot holds
  // them); their files are unpacked next, for the runtime's lazy imports.
  const module = py.pyimport("kernels.transports.worker") as PyProxy;
  if (snapshotOutcome === "restored") {
    module.install_wheel_file("/tmp/playground_runtime.whl");
    module.after_restore(JSON.stringify(PYTHON_ENV));
  }
  py.FS.unlink("/tmp/playground_runtime.whl");
  requestsModule = py.pyimport("kernels.transports.worker_requests") as PyProxy;
  if (options.role === "formats") {
    // No kernel here: this worker never runs notebook code, so it is never busy.
    post({ kind: "formats-ready" });
    return;
  }
  py.setStdout({ batched: (text: string) => console.log(text) });
  py.setStderr({ batched: (text: string) => console.warn(text) });
  pyodide = py;
  kernelCommands = new Set(JSON.parse(runPrivately(py, "import json, kernels.runtime.protocol as p\njson.dumps(sorted(p.COMMANDS))") as string) as string[]);
  bridge = module.WorkerSession(
    (json: string) => {
      const event = JSON.parse(json);
      post({ kind: "event", event });
      if (event.type === "run_completed") saveWrites();
    },
    // Before each command: an old interrupt must not hit the next one.
    () => sync?.clear(),
    (busy: boolean) => post({ kind: "busy", busy }),
    sync === null ? undefined : blockingWaits(sync),
  ) as Bridge;
  installer = new PackageInstaller({
    pyodide: py,
    micropipWheelUrl: options.micropipWheelUrl,
    wheelIndexUrl: options.wheelIndexUrl,
    pyodidePackagesUrl: options.pyodidePackagesUrl,
    afterMicropipLoaded: () => module.patch_micropip(),
  });
  const ready = JSON.parse(bridge.ready_json());
  if (sync !== null) {
    // Only now, the word cleared: a Stop pressed while Python was starting has nothing
    // to stop yet, and must not raise KeyboardInterrupt in the start itself.
    sync.clear();
    py.setInterruptBuffer(sync.interruptView);
  }
  post({
    kind: "ready",
    ready,
    bootMs: Math.round(performance.now() - started),
    snapshot: snapshotOutcome,
  });
  console.debug(`playground worker: ${snapshotOutcome === "restored" ? "snapshot restored" : "booted"} in ${Math.round(performance.now() - started)} ms (Python ready at ${Math.round(pythonAt - started)} ms)`);
}

/** What worker.py's time.sleep and input() call; plain functions, so Python gets no proxies to keep. */
function blockingWaits(shared: SyncBuffer) {
  return {
    sleep: (ms: number) => shared.sleep(ms),
    expectReply: () => shared.expectReply(),
    readReply: () => shared.readReply(),
  };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Into the session's queue (or wait for boot): commands as JSON, requests and installs as queued JS steps. */
function enqueue(item: QueueItem): void {
  if (bridge === null) {
    pending.push(item);
    return;
  }
  if (item.kind === "request") {
    bridge.put_call(() => answer(item.id, item.request));
    return;
  }
  if (item.kind === "folder") {
    bridge.put_call(() => mountFolder(item.files));
    return;
  }
  if (item.kind === "bucket") {
    bridge.put_call(async () => mountBucket(item.mount));
    return;
  }
  const command = item.command;
  track(command);
  if (cellsAboutToRun(command).length > 0) {
    // Computed when its turn comes, so it sees the code of the commands before it.
    bridge.put_call(async () => {
      const runs = cellsAboutToRun(command);
      if (runs.length > 0) await installImports(runs);
    });
  }
  bridge.put_json(JSON.stringify(command));
}

function track(command: Command): void {
  switch (command.type) {
    case "create_cell":
      if (!cellCode.has(command.cell_id)) cellCode.set(command.cell_id, { code: command.code ?? "", kind: command.kind ?? "code" });
      break;
    case "update_cell": {
      const cell = cellCode.get(command.cell_id);
      if (cell && command.code != null) cell.code = command.code;
      break;
    }
    case "delete_cell":
      cellCode.delete(command.cell_id);
      break;
  }
}

/** Code cells a command may run: their imports are installed first. Descendants count too, so: all of them. */
function cellsAboutToRun(command: Command): { cell_id: string; code: string }[] {
  const all = () => [...cellCode].filter(([, c]) => c.kind === "code").map(([cell_id, c]) => ({ cell_id, code: c.code }));
  switch (command.type) {
    case "run":
    case "run_all":
    case "run_stale":
      return all();
    case "update_cell":
      return command.config ? all() : [];
    case "delete_cell":
      return all();
    default:
      return [];
  }
}

async function installImports(cells: { cell_id: string; code: string }[]): Promise<void> {
  const missing = JSON.parse(requestsModule!.unresolved_imports(JSON.stringify(cells))) as Record<string, string[]>;
  const entries = Object.entries(missing);
  if (entries.length === 0) return;
  for (const [cellId, modules] of entries) {
    const fresh = modules.filter((m) => !installer!.known(m));
    if (fresh.length) post({ kind: "package-notice", cell_id: cellId, level: "progress", text: `installing ${fresh.join(", ")}…` });
  }
  // A missing standard-library module is only installable when Pyodide unbundled it.
  const modules = [...new Set(entries.flatMap(([, m]) => m))].filter(
    (m) => !requestsModule!.stdlib_module(m) || installer!.inLock(m),
  );
  const reports = new Map((await installer!.install(modules)).map((r) => [r.module, r]));
  for (const [cellId, names] of entries) {
    const mine = names.flatMap((n) => reports.get(n) ?? []);
    if (mine.length === 0) continue;
    const failed = mine.filter((r) => r.outcome !== "installed");
    post({
      kind: "package-notice",
      cell_id: cellId,
      level: failed.length ? "error" : "info",
      text: (failed.length ? failed : mine).map((r) => r.message).join("\n"),
    });
  }
}

/** A queued step: the folder the page sent becomes Python's working directory, as it is now. */
async function mountFolder(files: FolderFile[]): Promise<void> {
  const py = pyodide!;
  if (folder === null) {
    folder = new FolderMount(py.FS, lazyDownloads());
    runPrivately(py, `
import os, sys
os.chdir(${JSON.stringify(FOLDER_ROOT)})
if ${JSON.stringify(FOLDER_ROOT)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(FOLDER_ROOT)})
`);
  }
  const changed = await folder.apply(files);
  runPrivately(py, "import importlib\nimportlib.invalidate_caches()");
  const modules = changed.filter((path) => path.endsWith(".py"));
  if (modules.length > 0) modulesChanged(modules);
}

/**
 * Helper modules of the folder changed (upload, edit, another person's write):
 * the cells importing them must run again with the new code. The one place
 * this is decided: the kernel's `files_changed` command does it (drops the
 * modules from sys.modules, re-runs their importers); a kernel without it
 * only forgets the modules, so the next run of an importer reads the new file.
 */
function modulesChanged(paths: string[]): void {
  if (kernelCommands.has("files_changed")) {
    bridge!.put_json(JSON.stringify({ type: "files_changed", paths }));
    return;
  }
  runPrivately(pyodide!, `
import sys
for name in ${JSON.stringify(paths.map((path) => path.slice(0, -3).replaceAll("/", ".").replace(/\.__init__$/, "")))}:
    sys.modules.pop(name, None)
`);
}

function lazyDownloads(): Downloader {
  downloads ??= new Downloader(() => {
    if (sync === null || pyodide === null || !sync.takeInterrupt()) return false;
    // As Ctrl-C in a blocking call: Python's SIGINT is tripped here (the word taken, so it
    // is raised once), and the EINTR open() then gets makes Python raise KeyboardInterrupt.
    (pyodide as unknown as { _module: { _PyErr_SetInterrupt(): void } })._module._PyErr_SetInterrupt();
    return true;
  });
  return downloads;
}

/** A queued step: the bucket's listing becomes (or stops being) a folder of Python's. */
function mountBucket(mount: BucketMountSpec | null): void {
  if (bucket !== null && (mount === null || mount.root !== bucket.root)) {
    bucket.clear();
    bucket = null;
  }
  if (mount === null) return;
  bucket ??= new BucketMount(pyodide!.FS, mount.root, lazyDownloads());
  bucket.apply(mount.files);
  runPrivately(pyodide!, "import importlib\nimportlib.invalidate_caches()");
}

/** After a run: what Python created, changed or deleted in the folder goes to the page (then the host). */
function saveWrites(): void {
  if (bucket !== null) {
    const { files, removed } = bucket.scan();
    if (files.length > 0 || removed.length > 0) post({ kind: "bucket-written", root: bucket.root, files, removed });
  }
  if (folder === null) return;
  void folder.scan().then(
    ({ written, removed }) => {
      if (written.length === 0 && removed.length === 0) return;
      scope.postMessage({ kind: "files-written", files: written, removed }, written.map((file) => file.data));
    },
    (error: unknown) => console.warn("playground: the folder could not be scanned for Python's writes", error),
  );
}

async function answer(id: number, request: WorkerRequest): Promise<void> {
  try {
    post({ kind: "response", id, ok: true, result: await perform(request) });
  } catch (error) {
    post({ kind: "response", id, ok: false, error: errorText(error) });
  }
}

async function perform(request: WorkerRequest): Promise<unknown> {
  const module = requestsModule!;
  switch (request.op) {
    case "parse": {
      const parsed = JSON.parse(module.parse_notebook(request.source));
      if (!parsed.ok) throw new Error(parsed.error);
      return { cells: parsed.cells, header: parsed.header } satisfies NotebookFile;
    }
    case "serialize": {
      const out = JSON.parse(module.serialize_notebook(JSON.stringify(request.notebook)));
      if (!out.ok) throw new Error(out.error);
      return out.source as string;
    }
    case "install":
      return installer!.install(request.packages);
    case "bucket-list":
      return bucketList(request.url);
    case "bucket-sync":
      if (bucket === null) throw new Error("no bucket is mounted");
      return bucket.sync(request.requests);
  }
}

/** One page of a bucket's listing (XML, parsed by the page: a worker has no DOMParser). */
async function bucketList(url: string): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(url);
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { status: 0, text: errorText(error) };
  }
}

/** Python of the worker's own, in a namespace of its own (never the notebook's). */
function runPrivately(py: PyodideAPI, code: string): unknown {
  const namespace = py.toPy({}) as PyProxy;
  try {
    return py.runPython(code, { globals: namespace });
  } finally {
    namespace.destroy();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
