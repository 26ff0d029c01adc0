// Request/response calls to a worker: each request gets an id, and the
// worker's `response` message with that id settles it. Used by the kernel
// client and the format worker alike.

import type { FromWorker } from "./messages";

type Response = Extract<FromWorker, { kind: "response" }>;

export class PendingRequests {
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;

  /** A new id, and the promise its response settles. */
  open<T>(): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    return { id, answer };
  }

  settle(message: Response): void {
    const waiting = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (!waiting) return;
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new Error(message.error));
  }

  /** Every open request fails with `error` (the worker is gone). */
  rejectAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
