// Bytes of the notebook's folder files kept in this browser, by content hash
// (IndexedDB database "playground-files", store "blobs": sha256 → bytes), so a
// file read once is not downloaded again on the next visit, whatever its signed
// address has become. Used by the kernel worker (folder_mount.ts); every failure
// there only means a download, never an error for Python.
//
// The same store holds the files of the /play page's local drafts
// (storage/draft_files.ts), which have no other copy: nothing may evict a hash a
// draft names (deleting a draft deletes the bytes no other draft names).

const DB_NAME = "playground-files";
const STORE = "blobs";

export class FolderCache {
  private database: Promise<IDBDatabase | null> | null = null;

  private open(): Promise<IDBDatabase | null> {
    this.database ??= new Promise((resolve) => {
      try {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
        request.onblocked = () => resolve(null);
      } catch {
        resolve(null); // no IndexedDB here (a private window may refuse it)
      }
    });
    return this.database;
  }

  /** The hashes this browser holds, to fill those files at mount without the network. */
  async hashes(): Promise<Set<string>> {
    const db = await this.open();
    if (!db) return new Set();
    return new Promise((resolve) => {
      try {
        const request = db.transaction(STORE, "readonly").objectStore(STORE).getAllKeys();
        request.onsuccess = () => resolve(new Set(request.result.map(String)));
        request.onerror = () => resolve(new Set());
      } catch {
        resolve(new Set());
      }
    });
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const db = await this.open();
    if (!db) return null;
    return new Promise((resolve) => {
      try {
        const request = db.transaction(STORE, "readonly").objectStore(STORE).get(sha256);
        request.onsuccess = () => resolve(request.result instanceof ArrayBuffer ? new Uint8Array(request.result) : null);
        request.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }

  /**
   * Keep `bytes` under `sha256` (checked first: a wrong download must not be kept as
   * that hash). False when they were not kept (no IndexedDB, over the browser's quota).
   */
  async put(sha256: string, bytes: Uint8Array): Promise<boolean> {
    // A copy of our own (never shared memory, which crypto.subtle and IndexedDB refuse).
    const copy = bytes.slice();
    if ((await sha256Hex(copy)) !== sha256) return false;
    const db = await this.open();
    if (!db) return false;
    return new Promise<boolean>((resolve) => {
      try {
        const transaction = db.transaction(STORE, "readwrite");
        transaction.objectStore(STORE).put(copy.buffer, sha256);
        transaction.oncomplete = () => resolve(true);
        transaction.onerror = () => resolve(false);
        transaction.onabort = () => resolve(false); // over the browser's quota: the next visit downloads it
      } catch {
        resolve(false);
      }
    });
  }

  /** Forget these hashes' bytes (a deleted draft's files that no other draft names). */
  async delete(hashes: Iterable<string>): Promise<void> {
    const db = await this.open();
    if (!db) return;
    await new Promise<void>((resolve) => {
      try {
        const transaction = db.transaction(STORE, "readwrite");
        const store = transaction.objectStore(STORE);
        for (const sha256 of hashes) store.delete(sha256);
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => resolve();
        transaction.onabort = () => resolve();
      } catch {
        resolve();
      }
    });
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
