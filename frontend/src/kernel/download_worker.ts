// A worker of the kernel worker's own that downloads lazy files' bytes
// (lazy_file.ts) while the kernel worker waits in Python's open(). The kernel
// worker cannot await there; this worker can, so the download is a streamed
// fetch() written straight into shared memory the kernel gave, instead of a
// synchronous XMLHttpRequest (which Chromium delivers about a third slower for a
// large file: bench/folders.py). Only on cross-origin isolated pages.
//
// Messages: first { ready } (a word this worker sets to 1 once it runs), then
// one { url, control, data } per download. `control` words: [0] state (see
// below), [1] HTTP status, [2] set to 1 by the kernel when it gave up waiting.

import { CANCELLED, DONE, FAILED, OTHER_SIZE, STATE, STATUS } from "./lazy_file";

/** The buffer each read fills. */
const CHUNK_BYTES = 1024 * 1024;

interface Download {
  url: string;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

async function download({ url, control, data }: Download): Promise<void> {
  const words = new Int32Array(control);
  const target = new Uint8Array(data);
  let state = FAILED;
  try {
    const response = await fetch(url);
    Atomics.store(words, STATUS, response.status);
    if (response.status === 200 && response.body) {
      // Read into one buffer of our own, handed back and forth (a BYOB reader): a large
      // file's thousands of chunks would otherwise be garbage the collector must chase
      // while Python waits.
      const reader = response.body.getReader({ mode: "byob" });
      let chunk = new Uint8Array(CHUNK_BYTES);
      let offset = 0;
      state = DONE;
      for (;;) {
        const { done, value } = await reader.read(chunk);
        if (done || !value) break;
        if (Atomics.load(words, CANCELLED) === 1) {
          await reader.cancel();
          return;
        }
        if (offset + value.length > target.length) {
          state = OTHER_SIZE;
          await reader.cancel();
          break;
        }
        target.set(value, offset);
        offset += value.length;
        chunk = new Uint8Array(value.buffer); // the same memory, given back to us
      }
      if (state === DONE && offset !== target.length) state = OTHER_SIZE;
    }
  } catch (error) {
    console.warn("playground: a folder file's download failed", error);
    state = FAILED;
  }
  Atomics.store(words, STATE, state);
  Atomics.notify(words, STATE);
}

self.onmessage = (event: MessageEvent<{ ready: SharedArrayBuffer } | Download>) => {
  const message = event.data;
  if ("ready" in message) {
    const word = new Int32Array(message.ready);
    Atomics.store(word, 0, 1);
    return;
  }
  void download(message);
};
