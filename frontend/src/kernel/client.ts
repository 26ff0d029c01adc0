// The page's end of the kernel worker: start it, send commands, hand events
// to listeners, interrupt it, restart it, and make request/response calls
// (parse, serialize, install) over the worker-control messages of messages.ts.
// Interrupts and `input_reply` go through shared memory (sync_buffer.ts):
// the worker is blocked in Python then and reads no messages. Parse and
// serialize never wait on a busy or dead kernel: they go to a format worker
// (formats.ts) instead, so saving works whatever the kernel is doing.

import type {
  BootOptions,
  BucketMountSpec,
  BucketRequest,
  BucketRequestResult,
  BucketWrite,
  Command,
  FolderFile,
  FromWorker,
  KernelEvent,
  NotebookFile,
  PackageReport,
  ToWorker,
  WorkerRequest,
  WorkerResults,
  WrittenFile,
} from "./messages";
import { FormatWorker, firstSuccess } from "./formats";
import { PendingRequests } from "./pending_requests";
import { createSyncBuffer, SyncBuffer } from "./sync_buffer";

type FormatRequest = Extract<WorkerRequest, { op: "parse" | "serialize" }>;

export type KernelState = "booting" | "ready" | "busy" | "dead";

export interface KernelListener {
  event?(event: KernelEvent): void;
  state?(state: KernelState, detail: string): void;
  packageNotice?(cellId: string, level: "progress" | "info" | "error", text: string): void;
  /** After a run: files Python created or changed in the notebook's folder, and paths it deleted. */
  filesWritten?(files: WrittenFile[], removed: string[]): void;
  /** After a run: files Python created or changed under the mounted bucket's folder, and paths it deleted. */
  bucketWritten?(root: string, files: BucketWrite[], removed: string[]): void;
}

export interface BootInfo {
  bootMs: number;
  snapshot: "restored" | "none" | "failed";
  python: string;
}

export class KernelClient {
  private worker!: Worker;
  private readonly options: Omit<BootOptions, "syncBuffer">;
  private readonly shared: SharedArrayBuffer | null;
  private readonly sync: SyncBuffer | null;
  private formats: FormatWorker | null = null;
  private readonly listeners = new Set<KernelListener>();
  private readonly pending = new PendingRequests();
  private busy = false;
  /** The notebook's folder as last sent: a restarted worker mounts it too. */
  private folder: FolderFile[] | null = null;
  /** The mounted bucket as last sent: a restarted worker mounts it too. */
  private bucket: BucketMountSpec | null = null;
  state: KernelState = "booting";
  stateDetail = "starting Python";
  bootInfo: BootInfo | null = null;
  /** Settles when the current worker has booted (a restart makes a new one). */
  ready!: Promise<BootInfo>;
  private resolveReady!: (info: BootInfo) => void;
  private rejectReady!: (error: Error) => void;

  constructor(options: Omit<BootOptions, "syncBuffer">) {
    this.options = options;
    // Without cross-origin isolation there is no SharedArrayBuffer: interrupts
    // then only reach cells that await (the `interrupt` command), and input()
    // cannot wait for an answer.
    this.shared = createSyncBuffer();
    this.sync = this.shared ? new SyncBuffer(this.shared) : null;
    performance.mark("playground-worker-start");
    this.start();
  }

  private start(): void {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "playground-kernel" });
    this.worker = worker;
    // A restarted client ignores what its old worker still had in flight.
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (worker === this.worker) this.receive(event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      if (worker === this.worker) this.fail(`the Python worker crashed: ${event.message || "unknown error"}; restart Python to go on`);
    };
    this.post({ kind: "boot", options: { ...this.options, syncBuffer: this.shared } });
    if (this.folder !== null) this.post({ kind: "folder", files: this.folder });
    if (this.bucket !== null) this.post({ kind: "bucket", mount: this.bucket });
  }

  /**
   * The notebook's folder becomes Python's working directory (kernel/folder_mount.ts);
   * sent again whenever it changes. Commands sent after this see it in place.
   */
  setFolder(files: FolderFile[]): void {
    this.folder = files;
    if (this.state !== "dead") this.post({ kind: "folder", files });
  }

  /**
   * A bucket of the user's own as a folder of Python's (null: unmount it), with
   * addresses the page signed (bucket/); sent again on each refresh of them.
   */
  setBucket(mount: BucketMountSpec | null): void {
    this.bucket = mount;
    if (this.state !== "dead") this.post({ kind: "bucket", mount });
  }

  /** The worker GETs a presigned listing address (the page's CSP allows no other origin). */
  bucketList(url: string): Promise<{ status: number; text: string }> {
    return this.request({ op: "bucket-list", url });
  }

  /** The worker sends Python's changes to the bucket with the addresses the page signed. */
  bucketSync(requests: BucketRequest[]): Promise<BucketRequestResult[]> {
    return this.request({ op: "bucket-sync", requests });
  }

  /**
   * A fresh Python: the old worker is stopped whatever it is doing (a cell that
   * never ends included) and its names are gone. The caller sends the notebook's
   * cells again.
   */
  restart(): void {
    this.worker.terminate();
    this.sync?.clear();
    const error = new Error("Python was restarted");
    this.pending.rejectAll(error);
    this.rejectReady(error);
    this.busy = false;
    this.setState("booting", "restarting Python");
    this.start();
  }

  /**
   * Stop this Python without starting another (the notebook moved to a server
   * kernel): the worker is terminated, requests waiting on it go to the format
   * worker, and `restart()` brings a fresh one back.
   */
  suspend(detail: string): void {
    this.worker.terminate();
    this.sync?.clear();
    const error = new Error(detail);
    // State first: a parse or serialize waiting on this worker falls back to the format worker.
    this.busy = false;
    this.setState("dead", detail);
    this.rejectReady(error);
    this.pending.rejectAll(error);
  }

  subscribe(listener: KernelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: Command): void {
    if (this.state === "dead") return;
    if (command.type === "input_reply") {
      // The cell waits in Python, blocking the worker: only shared memory reaches it.
      this.sync?.reply(command.eof ? null : (command.text ?? ""));
      return;
    }
    this.post({ kind: "command", command });
  }

  /** Stop the running cell: shared memory stops busy, sleeping or input-waiting Python; the command cancels awaiting cells. */
  interrupt(): void {
    this.sync?.interrupt();
    this.send({ type: "interrupt" });
  }

  parse(source: string): Promise<NotebookFile> {
    return this.formatRequest({ op: "parse", source });
  }

  serialize(notebook: NotebookFile): Promise<string> {
    return this.formatRequest({ op: "serialize", notebook });
  }

  /**
   * The kernel answers when it is idle (or still booting); a busy or dead one
   * hands the request to the format worker, also when it turns busy or dies
   * while the request waits (a run queued before it, a crash).
   */
  private formatRequest<R extends FormatRequest>(request: R): Promise<WorkerResults[R["op"]]> {
    const race = firstSuccess<WorkerResults[R["op"]]>();
    let fellBack = false;
    const fallBack = () => {
      if (fellBack) return;
      fellBack = true;
      stop();
      race.add(this.formatWorker().request(request));
      race.close();
    };
    const stop = this.subscribe({
      state: (state) => {
        if (state === "busy" || state === "dead") fallBack();
      },
    });
    if (this.state === "busy" || this.state === "dead") {
      fallBack();
      return race.promise;
    }
    race.add(
      this.request(request).catch((error: unknown) => {
        if (!fellBack) {
          // An answer (a notebook that does not parse): nothing to fall back to.
          stop();
          race.close();
        }
        throw error;
      }),
    );
    return race.promise;
  }

  private formatWorker(): FormatWorker {
    this.formats ??= new FormatWorker(this.options);
    return this.formats;
  }

  install(packages: string[]): Promise<PackageReport[]> {
    return this.request({ op: "install", packages });
  }

  private request<R extends WorkerRequest>(request: R): Promise<WorkerResults[R["op"]]> {
    const { id, answer } = this.pending.open<WorkerResults[R["op"]]>();
    this.post({ kind: "request", id, request });
    return answer;
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.kind) {
      case "event":
        for (const l of this.listeners) l.event?.(message.event);
        return;
      case "boot-progress":
        this.setState("booting", message.detail);
        return;
      case "ready":
        this.bootInfo = { bootMs: message.bootMs, snapshot: message.snapshot, python: message.ready.python };
        this.setState(this.busy ? "busy" : "ready", `${message.ready.python}`);
        for (const l of this.listeners) l.event?.(message.ready);
        this.resolveReady(this.bootInfo);
        return;
      case "boot-failed":
        this.fail(`Python could not start: ${message.message}. Reload the page to try again.`);
        return;
      case "busy":
        this.busy = message.busy;
        if (this.state !== "booting" && this.state !== "dead") this.setState(message.busy ? "busy" : "ready", this.stateDetail);
        return;
      case "response":
        this.pending.settle(message);
        return;
      case "package-notice":
        for (const l of this.listeners) l.packageNotice?.(message.cell_id, message.level, message.text);
        return;
      case "files-written":
        for (const l of this.listeners) l.filesWritten?.(message.files, message.removed);
        return;
      case "bucket-written":
        for (const l of this.listeners) l.bucketWritten?.(message.root, message.files, message.removed);
        return;
    }
  }

  private fail(detail: string): void {
    // What is left of a crashed worker is of no use; stopping it frees its memory.
    this.worker.terminate();
    this.setState("dead", detail);
    this.rejectReady(new Error(detail));
    this.pending.rejectAll(new Error(detail));
  }

  private setState(state: KernelState, detail: string): void {
    this.state = state;
    this.stateDetail = detail;
    for (const l of this.listeners) l.state?.(state, detail);
  }
}
