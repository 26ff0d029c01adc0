// The editor page's end of a server kernel (docs/frontend-contract.md, "Server
// kernels"). The framed playground runs no request with the app's cookies, so
// this page makes the kernel's API calls and holds its websocket
// (/ws/kernels/<session>/ on the app's origin), and relays: the frame's protocol
// commands go out on the socket unchanged; the socket's frames go to the frame
// unchanged, each marked as replay (sent before this page joined the session) or
// live; the session's state, with its queue position and the workers alive, goes
// as `playground:kernel-state`.
//
// A reconnect asks for the frames after the last one relayed (`?after=<seq>`), so
// nothing is missed or relayed twice. The choice of a server kernel is kept per
// notebook in this browser (`playground:kernel:<id>`), so reopening the notebook
// joins the same session and shows what it sent (a replay from the start).

import type { Command } from "../kernel/messages";
import { type KernelMode, type ServerKernelState, type ServerKernelStatus, isKernelFrame } from "../hosting/messages";
import { ApiError, apiCall } from "./api";
import type { PlaygroundFrame } from "./frame";

const CHOICE_PREFIX = "playground:kernel:";
/** How often the queue position is asked for while the session waits (the socket does not say). */
const QUEUE_POLL_MS = 1500;
const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;
/** Commands kept while the socket reconnects; more are dropped (the page resends its cells on the next start). */
const MAX_WAITING_COMMANDS = 1000;

/** The service's answer about a session (serverkernels/api.py, KernelOut). */
interface KernelAnswer {
  session: string;
  notebook: string;
  state: string;
  message: string;
  position: number | null;
  workers: number;
  last_seq: number;
}

interface OutputsAnswer {
  outputs: Record<string, unknown>;
}

const SERVICE_STATES: ReadonlySet<string> = new Set(["queued", "starting", "idle", "running", "lost", "culled", "stopped", "dead"]);
const ENDED: ReadonlySet<string> = new Set(["lost", "culled", "stopped", "dead"]);

const OFF: ServerKernelStatus = { state: "off", message: "", position: null, workers: null, attached: false };

export class ServerKernelLink {
  private readonly notebookId: string;
  private readonly csrfToken: string;
  private readonly frame: PlaygroundFrame;
  private session: string | null = null;
  private socket: WebSocket | null = null;
  /** Number of the last frame relayed: a reconnect asks for what came after it. */
  private lastSeq = 0;
  /** The session's last frame number when this page joined it: frames up to it are a replay. */
  private joinSeq = 0;
  /** Number of the frame the shown state came from: an API answer older than that does not override it. */
  private stateSeq = 0;
  private status: ServerKernelStatus = OFF;
  /** The person wants the server kernel (false after "Back to browser"). */
  private wanted = false;
  private readonly waiting: string[] = [];
  private pollTimer = 0;
  private pause = FIRST_PAUSE_MS;
  /** Bumped whenever the page starts or leaves a session: late answers about the old one are dropped. */
  private generation = 0;

  constructor(notebookId: string, csrfToken: string, frame: PlaygroundFrame) {
    this.notebookId = notebookId;
    this.csrfToken = csrfToken;
    this.frame = frame;
  }

  /** Where the notebook runs: the server once asked for, else what this browser remembers. */
  get mode(): KernelMode {
    return this.wanted ? "server" : this.remembered();
  }

  remembered(): KernelMode {
    try {
      return localStorage.getItem(CHOICE_PREFIX + this.notebookId) === "server" ? "server" : "browser";
    } catch {
      return "browser";
    }
  }

  private remember(mode: KernelMode): void {
    try {
      if (mode === "server") localStorage.setItem(CHOICE_PREFIX + this.notebookId, "server");
      else localStorage.removeItem(CHOICE_PREFIX + this.notebookId);
    } catch {
      // Storage refused: the choice only lasts for this page.
    }
  }

  /** Start (or join) the person's server kernel for this notebook. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.wanted = true;
    this.remember("server");
    this.show({ ...OFF, state: "connecting" });
    let answer: KernelAnswer;
    try {
      answer = await this.api<KernelAnswer>("POST", `/api/notebooks/${encodeURIComponent(this.notebookId)}/kernel`);
    } catch (error) {
      if (generation === this.generation) this.failed(error, "The server kernel could not be started");
      return;
    }
    if (generation !== this.generation) return;
    if (answer.session !== this.session) {
      this.closeSocket();
      this.session = answer.session;
      this.lastSeq = 0;
      this.stateSeq = 0;
    }
    this.joinSeq = answer.last_seq;
    this.status = { ...this.status, attached: this.lastSeq >= this.joinSeq };
    this.answered(answer);
    if (!this.socket) this.connect(generation);
  }

  /** Back to the browser: the server kernel is shut down and forgotten by this page. */
  stop(): void {
    this.generation++;
    this.wanted = false;
    this.remember("browser");
    window.clearTimeout(this.pollTimer);
    this.closeSocket();
    this.waiting.length = 0;
    if (this.session && !ENDED.has(this.status.state)) {
      void this.api("POST", `/api/kernels/${encodeURIComponent(this.session)}/shutdown`).catch(() => undefined);
    }
    this.show(OFF);
  }

  /** A protocol command from the frame, sent on the socket as it is. */
  command(command: Command): void {
    const text = JSON.stringify(command);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
    else if (this.wanted && this.waiting.length < MAX_WAITING_COMMANDS) this.waiting.push(text);
  }

  async control(action: "restart" | "shutdown"): Promise<void> {
    if (!this.wanted) return;
    if (this.session === null || (action === "restart" && this.socket === null && this.status.state === "error")) {
      // No session to act on (it never started, or the service no longer knows it): a new one.
      if (action === "restart") await this.start();
      return;
    }
    const generation = this.generation;
    try {
      const answer = await this.api<KernelAnswer>("POST", `/api/kernels/${encodeURIComponent(this.session)}/${action}`);
      if (generation === this.generation) this.answered(answer);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.status === 404 && action === "restart") {
        this.session = null;
        await this.start();
        return;
      }
      this.failed(error, action === "restart" ? "The server kernel could not be restarted" : "The server kernel could not be shut down");
    }
  }

  // -- the socket -----------------------------------------------------------------

  private connect(generation: number): void {
    if (this.session === null || generation !== this.generation) return;
    const url = new URL(`/ws/kernels/${encodeURIComponent(this.session)}/?after=${this.lastSeq}`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    let socket: WebSocket;
    try {
      socket = new WebSocket(url.href);
    } catch (error) {
      this.failed(error, "The server kernel could not be reached");
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.pause = FIRST_PAUSE_MS;
      for (const text of this.waiting.splice(0)) socket.send(text);
    });
    socket.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.closed(event.code, generation);
    });
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  private closed(code: number, generation: number): void {
    if (!this.wanted || generation !== this.generation) return;
    if (code === 4503) {
      this.wanted = false;
      this.remember("browser");
      this.show({ ...OFF, state: "unavailable", message: "Server kernels are off on this server now, so the notebook runs in your browser again." });
    } else if (code === 4404) {
      this.session = null;
      this.show({ ...this.status, state: "error", message: "This server kernel session no longer exists. Restart to start a new one." });
    } else if (code === 4403) {
      this.show({ ...this.status, state: "error", message: "You can no longer edit this notebook, so its server kernel was disconnected. Your text stays on this page: copy what you need." });
    } else {
      // The network or the server went away for a moment: go on from the last frame.
      window.setTimeout(() => this.connect(generation), this.pause);
      this.pause = Math.min(this.pause * 2, MAX_PAUSE_MS);
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isKernelFrame(frame)) return;
    if ("resync" in frame) {
      void this.resync();
      return;
    }
    if (!("seq" in frame)) {
      // About this socket only (a refused command): live, never replayed.
      this.frame.kernelFrame(frame, false);
      return;
    }
    const seq = frame.seq;
    if (seq <= this.lastSeq) return; // relayed already (the service does not resend either)
    this.lastSeq = seq;
    const replay = seq <= this.joinSeq;
    if (!replay && !this.status.attached) this.show({ ...this.status, attached: true });
    if ("session" in frame && !replay) this.sessionChanged(seq, frame.session);
    this.frame.kernelFrame(frame, replay);
    if (replay && seq >= this.joinSeq && !this.status.attached) this.show({ ...this.status, attached: true });
  }

  /** Frames after the last one relayed were no longer kept: show each cell's last output instead. */
  private async resync(): Promise<void> {
    const session = this.session;
    const generation = this.generation;
    if (session === null) return;
    try {
      const answer = await this.api<OutputsAnswer>("GET", `/api/kernels/${encodeURIComponent(session)}/outputs`);
      if (generation !== this.generation) return;
      for (const event of Object.values(answer.outputs)) {
        const frame: unknown = { event };
        if (isKernelFrame(frame)) this.frame.kernelFrame(frame, true);
      }
    } catch {
      // The outputs stay as they are; the kernel's next events still arrive.
    }
    if (generation === this.generation && !this.status.attached) this.show({ ...this.status, attached: true });
  }

  // -- state ----------------------------------------------------------------------

  private sessionChanged(seq: number, session: { state: string; message: string }): void {
    if (!SERVICE_STATES.has(session.state)) return;
    this.stateSeq = seq;
    const state = session.state as ServerKernelState;
    this.show({ ...this.status, state, message: session.message, position: state === "queued" ? this.status.position : null });
    this.watchQueue();
  }

  /** An API answer: its queue position and workers always, its state unless a newer frame told one. */
  private answered(answer: KernelAnswer): void {
    const fresh = answer.last_seq >= this.stateSeq && SERVICE_STATES.has(answer.state);
    const state = fresh ? (answer.state as ServerKernelState) : this.status.state;
    if (fresh) this.stateSeq = answer.last_seq;
    this.show({
      ...this.status,
      state,
      message: fresh ? answer.message : this.status.message,
      position: state === "queued" ? answer.position : null,
      workers: answer.workers,
    });
    this.watchQueue();
  }

  private watchQueue(): void {
    window.clearTimeout(this.pollTimer);
    const session = this.session;
    if (this.status.state !== "queued" || session === null) return;
    const generation = this.generation;
    this.pollTimer = window.setTimeout(async () => {
      try {
        const answer = await this.api<KernelAnswer>("GET", `/api/kernels/${encodeURIComponent(session)}`);
        if (generation === this.generation && session === this.session) this.answered(answer);
      } catch {
        // Asked again below; the socket still tells when it starts.
        if (generation === this.generation) this.watchQueue();
      }
    }, QUEUE_POLL_MS);
  }

  private failed(error: unknown, what: string): void {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiError && error.code === "kernels_unavailable") {
      this.wanted = false;
      this.remember("browser");
      window.clearTimeout(this.pollTimer);
      this.show({ ...OFF, state: "unavailable", message });
      return;
    }
    this.show({ ...this.status, state: "error", message: `${what}: ${message}` });
  }

  private show(status: ServerKernelStatus): void {
    this.status = status;
    this.frame.kernelState(status);
  }

  private api<T>(method: string, url: string): Promise<T> {
    return apiCall<T>(method, url, this.csrfToken);
  }
}
