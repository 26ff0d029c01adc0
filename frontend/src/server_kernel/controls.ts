// The server kernel switch of a hosted playground (docs/frontend-contract.md,
// "Server kernels"): the toolbar's "Run on server" button, and while a server
// kernel runs the notebook, its state chip and its Shut down and Back to browser
// buttons (Stop and Restart stay the toolbar's own). Above the notebook, a notice
// says why a server kernel is unavailable or has ended, and offers to start it
// again running every cell ("Run all now") or none (the cells stay stale and the
// user runs what they need).
//
// The switch is offered only when the app's editor page frames the playground
// (someone who may edit the notebook): that page holds the kernel's API calls and
// websocket. Switching never touches the cells' text; it only changes where the
// commands go.

import { actionButton as button } from "../buttons";
import type { NotebookView } from "../cells/notebook_view";
import type { KernelSwitch } from "../kernel/switch";
import type { FrameMessage, KernelFrame, KernelMode, ServerKernelStatus } from "../hosting/messages";
import { CONNECTING, describeEnded, ENDED, RemoteKernel } from "./remote_kernel";

export interface ServerKernelControlsOptions {
  kernels: KernelSwitch;
  notebook: NotebookView;
  post(message: FrameMessage): void;
  /** A fresh browser Python running the notebook as it is on screen (the browser's Restart). */
  restartBrowser(): void;
}

const CHIP_TEXT: Record<ServerKernelStatus["state"], string> = {
  connecting: "connecting…",
  queued: "queued",
  starting: "starting…",
  idle: "idle",
  running: "running",
  lost: "lost",
  culled: "culled (shut down when idle)",
  stopped: "shut down",
  dead: "dead",
  unavailable: "unavailable",
  error: "cannot be reached",
  off: "off",
};

export class ServerKernelControls {
  /** Toolbar items: the switch, and the server kernel's chip and buttons. */
  readonly toolbar: HTMLElement;
  /** Above the notebook: why there is no server kernel, and how to start one again. */
  readonly notice: HTMLElement;
  readonly remote: RemoteKernel;
  private readonly kernels: KernelSwitch;
  private readonly notebook: NotebookView;
  private readonly post: (message: FrameMessage) => void;
  private readonly restartBrowser: () => void;
  private readonly switchButton: HTMLButtonElement;
  private readonly group: HTMLElement;
  private readonly chip: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly shutdownButton: HTMLButtonElement;
  private mode: KernelMode = "browser";
  /** The user asked for a server kernel and the host has not answered yet. */
  private switching = false;
  /** Whether the next fresh kernel runs every cell (false: the cells stay stale). */
  private runOnReady = true;
  private offered = false;
  /** Why this server has no server kernels ("" while it may have them). */
  private unavailable = "";

  constructor(options: ServerKernelControlsOptions) {
    this.kernels = options.kernels;
    this.notebook = options.notebook;
    this.post = options.post;
    this.restartBrowser = options.restartBrowser;
    this.remote = new RemoteKernel(this.post, {
      needsCells: (kind) => this.sendCells(kind),
      status: (status) => this.show(status),
    });
    this.kernels.follow(this.remote);

    this.switchButton = button(
      "kernel-switch",
      "Run on server",
      "Run this notebook on a server kernel instead of in this browser (numpy, pandas, matplotlib and scipy are installed there); what you typed stays as it is",
      () => this.askForServer(),
    );
    this.chip = document.createElement("span");
    this.chip.className = "server-kernel-state";
    this.chip.dataset.testid = "server-kernel-state";
    this.chip.setAttribute("role", "status");
    this.group = document.createElement("span");
    this.group.className = "server-kernel";
    this.group.dataset.testid = "server-kernel";
    this.actions = document.createElement("span");
    this.actions.className = "server-kernel-actions";
    this.shutdownButton = button("server-kernel-shutdown", "Shut down", "Shut the server kernel down (its names are gone; your notebook stays)", () => this.remote.shutdown());
    this.actions.append(
      this.shutdownButton,
      button("server-kernel-browser", "Back to browser", "Shut the server kernel down and run this notebook in this browser again", () => this.backToBrowser()),
    );
    this.group.append(this.chip, this.actions);
    this.toolbar = document.createElement("span");
    this.toolbar.className = "kernel-switch";
    this.toolbar.append(this.switchButton, this.group);
    this.toolbar.hidden = true;
    this.notice = document.createElement("div");
    this.notice.className = "server-kernel-notice";
    this.notice.dataset.testid = "server-kernel-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = true;
    this.render(CONNECTING);
  }

  get onServer(): boolean {
    return this.mode === "server";
  }

  /**
   * The host's first `open`: whether the switch is offered, and where the notebook
   * ran last time in this browser. Call before the notebook is loaded, so a
   * notebook kept on a server kernel never starts running in the browser.
   */
  offer(serverKernels: boolean, kernel: KernelMode): void {
    if (this.offered) return;
    this.offered = true;
    this.toolbar.hidden = !serverKernels;
    if (serverKernels && kernel === "server") this.enterServer();
  }

  /** Restart (the toolbar's): a fresh server kernel running every cell again. */
  restart(): void {
    this.runOnReady = true;
    this.remote.restart();
  }

  /** A websocket frame the host relayed. */
  frame(frame: KernelFrame, replay: boolean): void {
    if (this.mode === "server") this.remote.receiveFrame(frame, replay);
  }

  /** The server kernel's state, from the host. */
  state(status: ServerKernelStatus): void {
    if (this.mode === "browser") {
      if (status.state === "off") return;
      if (status.state === "unavailable" || status.state === "error") {
        // Still in the browser, whose Python was never stopped.
        this.switching = false;
        this.unavailable = status.state === "unavailable" ? status.message : "";
        this.render(status);
        this.say(status.message || describeEnded(status), "problem");
        return;
      }
      if (!this.switching) return;
      if (status.state === "connecting") {
        this.render(status);
        return;
      }
      this.switching = false;
      this.enterServer();
    } else if (status.state === "unavailable" || status.state === "off") {
      this.leaveServer();
      if (status.state === "unavailable") this.unavailable = status.message;
      this.render(status);
      if (status.message) this.say(status.message, "problem");
      return;
    }
    this.remote.receiveState(status);
  }

  private askForServer(): void {
    this.switching = true;
    this.say("", null);
    this.render(CONNECTING);
    this.post({ type: "playground:kernel-mode", mode: "server" });
  }

  private backToBrowser(): void {
    this.post({ type: "playground:kernel-mode", mode: "browser" });
    this.leaveServer();
  }

  private enterServer(): void {
    this.mode = "server";
    this.runOnReady = true;
    this.remote.reset();
    this.kernels.use(this.remote);
    this.kernels.browser.suspend("this notebook runs on a server kernel");
    // What the browser's Python showed is from a Python that is gone now.
    this.notebook.markAllStale();
    this.render(this.remote.status);
  }

  private leaveServer(): void {
    this.mode = "browser";
    this.switching = false;
    this.say("", null);
    this.kernels.use(this.kernels.browser);
    this.restartBrowser();
    this.render({ ...CONNECTING, state: "off" });
  }

  private sendCells(kind: "fresh" | "attach"): void {
    this.say("", null);
    if (kind === "attach") {
      this.notebook.syncCells(this.remote.knownCells);
      return;
    }
    this.notebook.announceCells();
    if (this.runOnReady) this.notebook.runAll();
    this.runOnReady = true;
  }

  private show(status: ServerKernelStatus): void {
    this.render(status);
    if (ENDED.has(status.state) && status.attached) {
      // What is on screen came from a kernel that is gone (or from its replay).
      this.notebook.markAllStale();
      this.offerRestart(describeEnded(status));
    } else if (status.state === "error") {
      this.offerRestart(describeEnded(status));
    } else if (this.notice.dataset.kind === "ended") {
      // Starting again: the choice was made.
      this.say("", null);
    }
  }

  private offerRestart(message: string): void {
    const runAll = button("server-kernel-run-all", "Run all now", "Start a fresh server kernel and run every cell", () => this.restart());
    const lazy = button("server-kernel-start-lazy", "Start, run nothing", "Start a fresh server kernel; the cells stay stale until you run them", () => {
      this.runOnReady = false;
      this.remote.restart();
    });
    this.notice.replaceChildren(
      `${message} The outputs shown are from before; they are marked stale. `,
      runAll,
      " ",
      lazy,
    );
    this.notice.dataset.kind = "ended";
    this.notice.hidden = false;
  }

  private say(text: string, kind: "problem" | null): void {
    this.notice.replaceChildren(text);
    this.notice.hidden = text === "";
    if (kind) this.notice.dataset.kind = kind;
    else delete this.notice.dataset.kind;
  }

  private render(status: ServerKernelStatus): void {
    const server = this.mode === "server";
    this.switchButton.hidden = server;
    // A server without server kernels says so once; the switch stays off until the page is reloaded.
    this.switchButton.disabled = this.switching || this.unavailable !== "";
    if (this.unavailable) this.switchButton.title = this.unavailable;
    // While the host is asked, only the chip ("connecting…") shows: the browser still runs the code.
    this.group.hidden = !server && !this.switching;
    this.actions.hidden = !server;
    this.shutdownButton.hidden = ENDED.has(status.state);
    this.chip.dataset.state = status.state;
    let text = `Server kernel: ${CHIP_TEXT[status.state]}`;
    if (status.state === "queued") {
      if (status.position) text += ` (position ${status.position})`;
      if (status.workers === 0) text += " — no kernel worker is running right now";
    }
    this.chip.textContent = text;
    this.chip.title = status.message || (status.state === "queued" && status.workers === 0
      ? "Nothing can start until a kernel worker runs; your place in the queue is kept."
      : "");
  }
}
