// A copy of the editor's unsaved text in this browser (the app's origin, which
// runs no notebook code), so changes survive a tab closed while the server
// could not save them: storage down, connection lost, a crash. Written on each
// edit the frame reports, removed once a save lands or the person discards it.

const PREFIX = "playground:unsaved:";

export interface KeptCopy {
  source: string;
  /** The revision the changes were made on. */
  base: number;
  /** Milliseconds since the epoch. */
  savedAt: number;
}

export class UnsavedCopy {
  private readonly key: string;

  constructor(notebookId: string) {
    this.key = PREFIX + notebookId;
  }

  keep(source: string, base: number): void {
    try {
      localStorage.setItem(this.key, JSON.stringify({ source, base, savedAt: Date.now() } satisfies KeptCopy));
    } catch (error) {
      // Full or disabled storage: the unload guard still protects the tab.
      console.warn("playground: unsaved changes could not be kept in this browser", error);
    }
  }

  read(): KeptCopy | null {
    try {
      const raw = localStorage.getItem(this.key);
      if (raw === null) return null;
      const copy = JSON.parse(raw) as Partial<KeptCopy>;
      if (typeof copy.source !== "string" || typeof copy.base !== "number" || typeof copy.savedAt !== "number") return null;
      return copy as KeptCopy;
    } catch {
      return null;
    }
  }

  forget(): void {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // Nothing kept, nothing to remove.
    }
  }
}
