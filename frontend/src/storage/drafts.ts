// Local drafts: every notebook the user worked on, kept in this browser's
// IndexedDB (database "playground", store "drafts"). A draft holds the cells
// themselves, so opening one needs no Python; share links carry the .py text.
// A draft's files (its folder: names, sizes and hashes) are listed on the draft;
// their bytes are kept by hash in "playground-files" (storage/draft_files.ts).

import type { NotebookFile } from "../kernel/messages";

export interface Draft {
  id: string;
  /** Set by "rename"; otherwise the title comes from the content. */
  title: string | null;
  notebook: NotebookFile;
  created: number;
  updated: number;
  /** The draft's folder (Python's working directory); absent in drafts made before files. */
  files?: DraftFile[];
}

/** One file of a draft's folder; the bytes are in FolderCache under `sha256`. */
export interface DraftFile {
  path: string;
  size: number;
  sha256: string;
}

const DB_NAME = "playground";
const STORE = "drafts";

let database: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id" });
      store.createIndex("updated", "updated");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is not available"));
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab of this page; close it and reload"));
  });
  database.catch(() => {
    database = null;
  });
  return database;
}

function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = action(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(transaction.error ?? request.error);
        transaction.onabort = () => reject(transaction.error ?? new Error("the draft was not saved (transaction aborted)"));
      }),
  );
}

export function newDraftId(): string {
  return crypto.randomUUID();
}

/** Every draft, most recently changed first. */
export async function listDrafts(): Promise<Draft[]> {
  const drafts = await run("readonly", (store) => store.getAll() as IDBRequest<Draft[]>);
  return drafts.sort((a, b) => b.updated - a.updated);
}

export function getDraft(id: string): Promise<Draft | undefined> {
  return run("readonly", (store) => store.get(id) as IDBRequest<Draft | undefined>);
}

export async function latestDraft(): Promise<Draft | undefined> {
  return (await listDrafts())[0];
}

/**
 * Read and write one draft in one transaction, so a notebook save and a change
 * of its files made at the same moment cannot undo each other. `change` gets the
 * draft as stored (undefined: none yet) and returns what to store.
 */
function update(id: string, change: (previous: Draft | undefined) => Draft): Promise<Draft> {
  return open().then(
    (db) =>
      new Promise<Draft>((resolve, reject) => {
        const transaction = db.transaction(STORE, "readwrite");
        const store = transaction.objectStore(STORE);
        let draft: Draft | undefined;
        let refused: unknown = null;
        const read = store.get(id) as IDBRequest<Draft | undefined>;
        read.onsuccess = () => {
          try {
            draft = change(read.result);
          } catch (error) {
            // The change itself says no (a name taken, a limit): nothing is written.
            refused = error;
            transaction.abort();
            return;
          }
          store.put(draft);
        };
        transaction.oncomplete = () => resolve(draft!);
        transaction.onerror = () => reject(refused ?? transaction.error ?? read.error);
        transaction.onabort = () => reject(refused ?? transaction.error ?? new Error("the draft was not saved (transaction aborted)"));
      }),
  );
}

/** Save the notebook; its files stay as they are. */
export function saveDraft(id: string, notebook: NotebookFile): Promise<Draft> {
  const now = Date.now();
  return update(id, (previous) => ({
    id,
    title: previous?.title ?? null,
    notebook,
    created: previous?.created ?? now,
    updated: now,
    files: previous?.files ?? [],
  }));
}

/**
 * Replace the draft's files with what `change` makes of them; a draft not saved
 * yet is saved with `notebook` (the one on screen), so its files have a home.
 */
export function saveDraftFiles(id: string, notebook: () => NotebookFile, change: (files: DraftFile[]) => DraftFile[]): Promise<Draft> {
  const now = Date.now();
  return update(id, (previous) => ({
    id,
    title: previous?.title ?? null,
    notebook: previous?.notebook ?? notebook(),
    created: previous?.created ?? now,
    updated: now,
    files: change(previous?.files ?? []),
  }));
}

export async function renameDraft(id: string, title: string): Promise<void> {
  const draft = await getDraft(id);
  if (!draft) return;
  draft.title = title.trim() || null;
  await run("readwrite", (store) => store.put(draft));
}

/** Delete the draft; the caller deletes its files' bytes (`deleteDraftWithFiles`). */
export async function deleteDraft(id: string): Promise<void> {
  await run("readwrite", (store) => store.delete(id));
}

/** The title to show: the user's, else the first heading or line of the notebook. */
export function draftTitle(draft: Pick<Draft, "title" | "notebook">): string {
  if (draft.title) return draft.title;
  for (const cell of draft.notebook.cells) {
    const line = cell.code.split("\n").map((l) => l.trim()).find(Boolean);
    if (!line) continue;
    return (cell.kind === "markdown" ? line.replace(/^#+\s*/, "") : line).slice(0, 60);
  }
  return "Untitled notebook";
}
