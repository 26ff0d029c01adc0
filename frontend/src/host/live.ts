// The editor's websocket (/ws/notebooks/<id>/): news of revisions saved elsewhere.
// It reconnects with a growing pause; missing news is harmless (the next save of
// a stale page gets a conflict anyway). The server closes it with 4403 when the
// person's access ended while the page was open (a link revoked, removed as a
// collaborator): then it stops and tells the page.

/** `textChanged` false: the revision changed only the notebook's folder (docs/folders.md). */
export type RevisionListener = (revision: number, author: string, textChanged: boolean) => void;

export class LiveRevisions {
  private readonly url: string;
  private readonly listener: RevisionListener;
  private readonly accessEnded: () => void;
  private pause = 1000;

  constructor(path: string, listener: RevisionListener, accessEnded: () => void = () => {}) {
    this.url = new URL(path, location.href).href.replace(/^http/, "ws");
    this.listener = listener;
    this.accessEnded = accessEnded;
    this.connect();
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      return;
    }
    socket.addEventListener("open", () => {
      this.pause = 1000;
      document.body.dataset.live = "connected";
    });
    socket.addEventListener("message", (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { type?: string; revision?: number; author?: string; text_changed?: boolean };
        if (data.type === "revision" && typeof data.revision === "number") this.listener(data.revision, data.author ?? "", data.text_changed !== false);
      } catch {
        // not ours
      }
    });
    socket.addEventListener("close", (event) => {
      document.body.dataset.live = "closed";
      if (event.code === 4404) return; // refused: no access
      if (event.code === 4403) {
        this.accessEnded();
        return;
      }
      window.setTimeout(() => this.connect(), this.pause);
      this.pause = Math.min(this.pause * 2, 30_000);
    });
  }
}
