// A server kernel as the framed playground sees it: the same protocol as the
// browser's worker (commands in, events out), carried by the app's page that
// frames the playground (hosting/messages.ts), which holds the kernel's
// websocket and API calls. Commands go out as `playground:kernel-command`;
// events come back inside relayed websocket frames; the session's state
// (queued, running, lost, ...) comes as `playground:kernel-state` and is shown
// as the page's usual kernel states (booting, ready, busy, dead).
//
// A server kernel holds no cells when it starts (`kernel_ready`): the page then
// sends the notebook as it is on screen ("fresh"). A page that joins a session
// already running (a reload) sends what differs instead ("attach"). Until one
// of those happened, commands are dropped: the next one covers them.

import type { KernelListener, KernelState } from "../kernel/client";
import type { Command } from "../kernel/messages";
import type { KernelBackend } from "../kernel/switch";
import type { FrameMessage, KernelFrame, ServerKernelState, ServerKernelStatus } from "../hosting/messages";

/** States in which the session has a kernel that takes commands. */
const LIVE: ReadonlySet<ServerKernelState> = new Set(["idle", "running"]);
/** States in which the session's kernel is gone until it is restarted. */
export const ENDED: ReadonlySet<ServerKernelState> = new Set(["lost", "culled", "stopped", "dead", "error"]);

export interface RemoteKernelHooks {
  /**
   * Send the notebook's cells: "fresh" to a kernel that just started (it has
   * none); "attach" to a running kernel this page has just joined (it may hold
   * the cells of `knownCells` already).
   */
  needsCells(kind: "fresh" | "attach"): void;
  /** The session's state, queue position or workers changed. */
  status(status: ServerKernelStatus): void;
}

export const CONNECTING: ServerKernelStatus = { state: "connecting", message: "", position: null, workers: null, attached: false };

/** What the kernel status chip says while the session has no kernel to run code. */
export function describeWaiting(status: ServerKernelStatus): string {
  switch (status.state) {
    case "queued":
      // The server kernel's own chip says more (server_kernel/controls.ts).
      return status.position ? `Server kernel queued: position ${status.position}` : "Server kernel queued";
    case "starting":
      return "Server kernel starting…";
    case "connecting":
      return "Connecting to the server kernel…";
    default:
      return status.attached ? "Server kernel ready" : "Loading the server kernel's outputs…";
  }
}

/** Why the session has no kernel, for people. */
export function describeEnded(status: ServerKernelStatus): string {
  if (status.message) return status.message;
  switch (status.state) {
    case "lost":
      return "The server kernel was lost: the machine running it stopped. Restart it to go on.";
    case "culled":
      return "The server kernel was shut down after being idle. Restart it to go on.";
    case "stopped":
      return "The server kernel was shut down. Restart it to go on.";
    case "dead":
      return "The server kernel stopped. Restart it to go on.";
    default:
      return "The server kernel cannot be reached. Restart it to try again, or go back to the browser.";
  }
}

export class RemoteKernel implements KernelBackend {
  state: KernelState = "booting";
  stateDetail = describeWaiting(CONNECTING);
  status: ServerKernelStatus = CONNECTING;
  /** Cells the current kernel has heard of (from its events, replayed ones included). */
  readonly knownCells = new Set<string>();
  private accepting = false;
  private readonly listeners = new Set<KernelListener>();
  private readonly post: (message: FrameMessage) => void;
  private readonly hooks: RemoteKernelHooks;

  constructor(post: (message: FrameMessage) => void, hooks: RemoteKernelHooks) {
    this.post = post;
    this.hooks = hooks;
  }

  /** A new session or a new connection to one: nothing is known of its kernel yet. */
  reset(): void {
    this.knownCells.clear();
    this.accepting = false;
    this.receiveState(CONNECTING);
  }

  subscribe(listener: KernelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: Command): void {
    if (command.type === "interrupt" ? !LIVE.has(this.status.state) : !this.accepting) return;
    this.post({ type: "playground:kernel-command", command });
  }

  /** The same `interrupt` command the worker gets; the server's kernel applies it at once. */
  interrupt(): void {
    this.send({ type: "interrupt" });
  }

  restart(): void {
    this.post({ type: "playground:kernel-control", action: "restart" });
  }

  shutdown(): void {
    this.post({ type: "playground:kernel-control", action: "shutdown" });
  }

  receiveFrame(frame: KernelFrame, replay: boolean): void {
    if ("notice" in frame) {
      // The worker installing what a cell imports, as the browser's installer reports it.
      const { cell_id: cellId, level, text } = frame.notice;
      for (const l of this.listeners) l.packageNotice?.(cellId, level, text);
      return;
    }
    // Session frames are the host's to read: it sends their meaning as kernel-state.
    if (!("event" in frame)) return;
    const event = frame.event;
    if (event.type === "kernel_ready") {
      this.knownCells.clear();
      this.emit(event);
      if (!replay) {
        this.accepting = true;
        this.hooks.needsCells("fresh");
      }
      return;
    }
    if ("cell_id" in event && typeof event.cell_id === "string") this.knownCells.add(event.cell_id);
    this.emit(event);
  }

  receiveState(status: ServerKernelStatus): void {
    this.status = status;
    if (!LIVE.has(status.state)) this.accepting = false;
    if (ENDED.has(status.state) || status.state === "unavailable" || status.state === "off") {
      this.setState("dead", describeEnded(status));
    } else if (LIVE.has(status.state) && status.attached) {
      this.setState(status.state === "running" ? "busy" : "ready", status.state === "running" ? "Server kernel running" : "Server kernel ready");
    } else {
      this.setState("booting", describeWaiting(status));
    }
    this.hooks.status(status);
    if (LIVE.has(status.state) && status.attached && !this.accepting) {
      this.accepting = true;
      this.hooks.needsCells("attach");
    }
  }

  private emit(event: Parameters<NonNullable<KernelListener["event"]>>[0]): void {
    for (const l of this.listeners) l.event?.(event);
  }

  private setState(state: KernelState, detail: string): void {
    if (state === this.state && detail === this.stateDetail) return;
    this.state = state;
    this.stateDetail = detail;
    for (const l of this.listeners) l.state?.(state, detail);
  }
}
