// The kernel the page talks to: the browser's own Python (KernelClient, a Web
// Worker) or a server kernel (server_kernel/remote_kernel.ts, through the page
// that frames the playground). The notebook, the panels and the toolbar hold
// this switch and never know which one runs the code: commands, events,
// states and interrupts are the same protocol either way. Reading and writing
// notebook files always stays in the browser (the kernel worker when idle, else
// the format worker, kernel/formats.ts), so saving never waits on a server.

import type { KernelClient, KernelListener, KernelState } from "./client";
import type { Command, NotebookFile } from "./messages";

/** What the page needs of a kernel that runs notebook code. */
export interface KernelBackend {
  readonly state: KernelState;
  readonly stateDetail: string;
  subscribe(listener: KernelListener): () => void;
  send(command: Command): void;
  interrupt(): void;
}

export class KernelSwitch implements KernelBackend {
  readonly browser: KernelClient;
  private active: KernelBackend;
  private readonly listeners = new Set<KernelListener>();

  constructor(browser: KernelClient) {
    this.browser = browser;
    this.active = browser;
    this.follow(browser);
  }

  /** Whether the code runs in this browser (false: on a server kernel). */
  get inBrowser(): boolean {
    return this.active === this.browser;
  }

  get state(): KernelState {
    return this.active.state;
  }

  get stateDetail(): string {
    return this.active.stateDetail;
  }

  /** Settles when the browser's Python has booted (timing marks). */
  get ready(): Promise<unknown> {
    return this.browser.ready;
  }

  /** Listen to `backend` for good; only the active one's news reaches the page. */
  follow(backend: KernelBackend): void {
    backend.subscribe({
      event: (event) => {
        if (backend === this.active) for (const l of this.listeners) l.event?.(event);
      },
      state: (state, detail) => {
        if (backend === this.active) for (const l of this.listeners) l.state?.(state, detail);
      },
      packageNotice: (cellId, level, text) => {
        if (backend === this.active) for (const l of this.listeners) l.packageNotice?.(cellId, level, text);
      },
    });
  }

  /** From now on the page talks to `backend` (already followed). */
  use(backend: KernelBackend): void {
    if (backend === this.active) return;
    this.active = backend;
    for (const l of this.listeners) l.state?.(backend.state, backend.stateDetail);
  }

  subscribe(listener: KernelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: Command): void {
    this.active.send(command);
  }

  interrupt(): void {
    this.active.interrupt();
  }

  parse(source: string): Promise<NotebookFile> {
    return this.browser.parse(source);
  }

  serialize(notebook: NotebookFile): Promise<string> {
    return this.browser.serialize(notebook);
  }
}
