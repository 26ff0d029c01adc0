// The host's end of the hosted-playground messages (hosting/messages.ts): it
// answers the frame's "ready" with the notebook and passes its reports on (and a
// server kernel's commands, host/server_kernel.ts). The notebook's folder
// (host/files_panel.ts) goes to the frame before each `open` and after every
// change. Only messages from the iframe's own window and the user-content
// origin are read.

import type { Command, FolderFile, WrittenFile } from "../kernel/messages";
import {
  type FrameMessage,
  type HostMessage,
  type KernelFrame,
  type KernelMode,
  type ServerKernelStatus,
  isFrameMessage,
} from "../hosting/messages";
import { isTheme, type Theme } from "../theme";

export interface FrameHandlers {
  opened?(): void;
  error?(message: string): void;
  dirty?(): void;
  changed?(source: string): void;
  save?(source: string): void;
  kernelMode?(mode: KernelMode): void;
  kernelCommand?(command: Command): void;
  kernelControl?(action: "restart" | "shutdown"): void;
  filesWritten?(files: WrittenFile[], removed: string[]): void;
}

/** How long `open` waits for the folder's first answer before the notebook opens without it. */
const FOLDER_WAIT_MS = 5000;

/** What `open` says about server kernels: offered or not, and where the notebook ran last. */
export interface KernelOffer {
  serverKernels: boolean;
  kernel: KernelMode;
}

export class PlaygroundFrame {
  readonly iframe: HTMLIFrameElement;
  private readonly origin: string;
  private notebook: { source: string; title: string };
  private handlers: FrameHandlers;
  /** Asked at each `open`: the server kernel switch (the editor's page sets it). */
  kernelOffer: () => KernelOffer = () => ({ serverKernels: false, kernel: "browser" });
  /** The notebook's folder as last set; sent before every `open` (a reloaded frame mounts it again). */
  private folderState: { files: FolderFile[]; writable: boolean } | null = null;
  /** `open` waits for this (the folder's first answer), so the first run sees the files. */
  private openGate: Promise<unknown> = Promise.resolve();
  private answering = false;

  constructor(iframe: HTMLIFrameElement, origin: string, notebook: { source: string; title: string }, handlers: FrameHandlers) {
    this.iframe = iframe;
    this.origin = origin;
    this.notebook = notebook;
    this.handlers = handlers;
    window.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (event.source !== this.iframe.contentWindow || event.origin !== this.origin) return;
      if (isFrameMessage(event.data)) this.receive(event.data);
    });
    // The header's theme button (pages/static/theme.js) changed this page's theme.
    window.addEventListener("playground-theme", (event) => {
      const theme = (event as CustomEvent<unknown>).detail;
      if (isTheme(theme)) this.send({ type: "playground:theme", theme });
    });
  }

  /** This page's theme, as theme.js set it (no attribute: the system's). */
  private theme(): Theme {
    const chosen = document.documentElement.dataset.theme;
    return isTheme(chosen) ? chosen : "system";
  }

  private receive(message: FrameMessage): void {
    switch (message.type) {
      case "playground:ready":
        if (this.answering) break; // the answer is on its way
        this.answering = true;
        void this.openGate.then(() => {
          this.answering = false;
          this.sendFolder();
          this.send({ type: "playground:open", ...this.notebook, theme: this.theme(), ...this.kernelOffer() });
        });
        break;
      case "playground:opened":
        this.iframe.dataset.state = "opened";
        this.handlers.opened?.();
        break;
      case "playground:error":
        this.iframe.dataset.state = "error";
        this.handlers.error?.(message.message);
        break;
      case "playground:dirty":
        this.handlers.dirty?.();
        break;
      case "playground:changed":
        this.handlers.changed?.(message.source);
        break;
      case "playground:save":
        this.handlers.save?.(message.source);
        break;
      case "playground:kernel-mode":
        this.handlers.kernelMode?.(message.mode);
        break;
      case "playground:kernel-command":
        this.handlers.kernelCommand?.(message.command);
        break;
      case "playground:kernel-control":
        this.handlers.kernelControl?.(message.action);
        break;
      case "playground:files-written":
        this.handlers.filesWritten?.(message.files, message.removed);
        break;
    }
  }

  /** Hold the first `open` until `loaded` settles (at most a few seconds): the folder's first answer. */
  waitForFolder(loaded: Promise<unknown>): void {
    const timeout = new Promise((resolve) => window.setTimeout(resolve, FOLDER_WAIT_MS));
    this.openGate = Promise.race([loaded.catch(() => undefined), timeout]);
  }

  /** The notebook's folder changed (or is known): the frame mounts it for Python. */
  setFolder(files: FolderFile[], writable: boolean): void {
    this.folderState = { files, writable };
    this.sendFolder();
  }

  private sendFolder(): void {
    if (this.folderState) this.send({ type: "playground:folder", ...this.folderState });
  }

  /** Show another notebook (or another version of this one). */
  open(source: string, title: string): void {
    this.notebook = { source, title };
    this.send({ type: "playground:open", source, title, theme: this.theme(), ...this.kernelOffer() });
  }

  kernelState(status: ServerKernelStatus): void {
    this.send({ type: "playground:kernel-state", ...status });
  }

  kernelFrame(frame: KernelFrame, replay: boolean): void {
    this.send({ type: "playground:kernel-frame", frame, replay });
  }

  /** Reload the frame at `url` (e.g. another mode); it asks for the notebook again. */
  navigate(url: string): void {
    this.iframe.dataset.state = "loading";
    this.iframe.src = url;
  }

  requestSave(): void {
    this.send({ type: "playground:request-save" });
  }

  private send(message: HostMessage): void {
    this.iframe.contentWindow?.postMessage(message, this.origin);
  }
}
