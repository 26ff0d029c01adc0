// Reading and writing notebook files when the kernel cannot answer. The kernel
// worker runs Python synchronously: while a cell runs (`while True: pass`) or
// after the worker died, it reads no messages, so a save that asked it for the
// notebook's text would wait forever. This second worker boots the same runtime
// (from the same memory snapshot) in the role "formats": it never runs notebook
// code, so it is never busy. It starts on first use and stays for the page.

import type { BootOptions, FromWorker, ToWorker, WorkerRequest, WorkerResults } from "./messages";
import { PendingRequests } from "./pending_requests";

type FormatRequest = Extract<WorkerRequest, { op: "parse" | "serialize" }>;

export class FormatWorker {
  private readonly worker: Worker;
  private readonly pending = new PendingRequests();
  private failure: Error | null = null;

  constructor(options: Omit<BootOptions, "syncBuffer" | "role">) {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "playground-formats" });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event: ErrorEvent) => this.fail(new Error(`the notebook file worker crashed: ${event.message || "unknown error"}`));
    this.post({ kind: "boot", options: { ...options, syncBuffer: null, role: "formats" } });
  }

  request<R extends FormatRequest>(request: R): Promise<WorkerResults[R["op"]]> {
    if (this.failure) return Promise.reject(this.failure);
    const { id, answer } = this.pending.open<WorkerResults[R["op"]]>();
    this.post({ kind: "request", id, request });
    return answer;
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    if (message.kind === "boot-failed") {
      this.fail(new Error(`the notebook file worker could not start: ${message.message}`));
      return;
    }
    if (message.kind === "response") this.pending.settle(message);
  }

  private fail(error: Error): void {
    this.failure = error;
    this.worker.terminate();
    this.pending.rejectAll(error);
  }
}

/**
 * The first of `attempts` to succeed; each attempt starts only when asked
 * (`start`), so a fallback costs nothing unless it is needed.
 */
export function firstSuccess<T>(): {
  promise: Promise<T>;
  add(attempt: Promise<T>): void;
  /** No more attempts will be added: reject if all that were have failed. */
  close(): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  let running = 0;
  let closed = false;
  let lastError: Error = new Error("nothing was tried");
  let settled = false;
  const check = () => {
    if (!settled && closed && running === 0) {
      settled = true;
      reject(lastError);
    }
  };
  return {
    promise,
    add(attempt) {
      running += 1;
      attempt.then(
        (value) => {
          running -= 1;
          if (!settled) {
            settled = true;
            resolve(value);
          }
        },
        (error: unknown) => {
          running -= 1;
          lastError = error instanceof Error ? error : new Error(String(error));
          check();
        },
      );
    },
    close() {
      closed = true;
      check();
    },
  };
}
