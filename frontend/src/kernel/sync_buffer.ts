// The memory the page and the kernel worker share (a SharedArrayBuffer, so only
// on cross-origin isolated pages): how the page reaches Python while Python is
// busy and the worker cannot read messages.
//
// Layout, in 32-bit words:
//   [0] interrupt: Pyodide's interrupt buffer (the page writes 2 = SIGINT);
//   [1] doorbell: the page adds 1 after every write and notifies, so a worker
//       blocked in Atomics.wait wakes up, and a write between its check and
//       its wait is never missed;
//   [2] reply state: 0 none, 1 a line is waiting, 2 end of input;
//   [3] the line's length in bytes; the UTF-8 bytes follow the header.
// The worker blocks on the doorbell (Atomics.wait; only the page's main thread
// may not block): time.sleep waits with a timeout, input() without one; both
// return early when the interrupt word is set, and clear it, so Python raises
// KeyboardInterrupt once.

const INTERRUPT = 0;
const DOORBELL = 1;
const REPLY = 2;
const REPLY_BYTES = 3;
const HEADER_BYTES = 16;

const REPLY_NONE = 0;
const REPLY_LINE = 1;
const REPLY_EOF = 2;

/** The longest line input() may receive, in UTF-16 code units (the input box's maxlength). */
export const REPLY_MAX_CHARS = 100_000;
// UTF-8 takes at most 3 bytes per UTF-16 code unit.
const BUFFER_BYTES = HEADER_BYTES + 3 * REPLY_MAX_CHARS;

/** The shared buffer, or null when the page is not cross-origin isolated (no SharedArrayBuffer). */
export function createSyncBuffer(): SharedArrayBuffer | null {
  return typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated ? new SharedArrayBuffer(BUFFER_BYTES) : null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SyncBuffer {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  /** The view to give `pyodide.setInterruptBuffer`. */
  readonly interruptView: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES);
    this.interruptView = new Int32Array(buffer, 0, 1);
  }

  // -- page side -------------------------------------------------------------

  /** Stop running Python: busy code through Pyodide, a sleep or an input() wait at once. */
  interrupt(): void {
    Atomics.store(this.words, INTERRUPT, 2);
    this.ring();
  }

  /** Answer the input() waiting in the worker: a line (without its newline), or null for end of input. */
  reply(line: string | null): void {
    if (line !== null) {
      // Encoded apart: encodeInto refuses shared memory in Chromium. At most 3 bytes per code unit, so it fits.
      const encoded = encoder.encode(line.slice(0, REPLY_MAX_CHARS));
      this.bytes.set(encoded);
      Atomics.store(this.words, REPLY_BYTES, encoded.length);
    }
    Atomics.store(this.words, REPLY, line === null ? REPLY_EOF : REPLY_LINE);
    this.ring();
  }

  private ring(): void {
    Atomics.add(this.words, DOORBELL, 1);
    Atomics.notify(this.words, DOORBELL);
  }

  // -- worker side -----------------------------------------------------------

  /** Before each command: an old interrupt or a reply nobody waited for must not hit it. */
  clear(): void {
    Atomics.store(this.words, INTERRUPT, 0);
    Atomics.store(this.words, REPLY, REPLY_NONE);
  }

  /** Block for `ms` milliseconds; true if interrupted first (the interrupt is then consumed). */
  sleep(ms: number): boolean {
    const end = performance.now() + ms;
    for (;;) {
      const bell = Atomics.load(this.words, DOORBELL);
      if (this.takeInterrupt()) return true;
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.words, DOORBELL, bell, left);
    }
  }

  /** Forget a reply nobody asked for; call before announcing a new input request. */
  expectReply(): void {
    Atomics.store(this.words, REPLY, REPLY_NONE);
  }

  /** Block until the page answers: "l" + the line, "e" (end of input) or "i" (interrupted). */
  readReply(): string {
    for (;;) {
      const bell = Atomics.load(this.words, DOORBELL);
      if (this.takeInterrupt()) return "i";
      const state = Atomics.load(this.words, REPLY);
      if (state === REPLY_LINE) {
        // slice() copies: TextDecoder does not read shared memory.
        const line = decoder.decode(this.bytes.slice(0, Atomics.load(this.words, REPLY_BYTES)));
        Atomics.store(this.words, REPLY, REPLY_NONE);
        return "l" + line;
      }
      if (state === REPLY_EOF) {
        Atomics.store(this.words, REPLY, REPLY_NONE);
        return "e";
      }
      Atomics.wait(this.words, DOORBELL, bell);
    }
  }

  /** Whether the page asked to stop; the request is then consumed (cleared). */
  takeInterrupt(): boolean {
    if (Atomics.load(this.words, INTERRUPT) === 0) return false;
    Atomics.store(this.words, INTERRUPT, 0);
    return true;
  }
}
