// The frame's end of the hosted-playground messages (hosting/messages.ts): it
// announces itself to the app's page that frames it, takes the notebook from it,
// and reports edits and save requests back; with a server kernel it also sends
// the kernel's commands and hears its frames and state. It also takes the
// notebook's folder (mounted in the kernel worker) and sends back what Python
// wrote there. Only the parent window, from the app's origin, is listened to.

import { applyTheme, isTheme } from "../theme";
import type { FolderFile } from "../kernel/messages";
import { type FrameMessage, type HostMessage, type KernelFrame, type KernelMode, type ServerKernelStatus, isHostMessage } from "./messages";

const READY_INTERVAL_MS = 300;

export interface OpenOptions {
  /** The server kernel switch is offered. */
  serverKernels: boolean;
  /** Where the notebook ran when this browser last had it open. */
  kernel: KernelMode;
}

export interface FrameChannelHandlers {
  open(source: string, title: string, options: OpenOptions): void;
  requestSave(): void;
  kernelState?(status: ServerKernelStatus): void;
  kernelFrame?(frame: KernelFrame, replay: boolean): void;
  /** The notebook's folder (before `open`, and after each change); `writable`: what Python writes is saved. */
  folder?(files: FolderFile[], writable: boolean): void;
}

export class FrameChannel {
  private readonly appOrigin: string;
  private readyTimer = 0;

  constructor(appOrigin: string, handlers: FrameChannelHandlers) {
    this.appOrigin = appOrigin;
    window.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (event.source !== window.parent || event.origin !== this.appOrigin) return;
      if (!isHostMessage(event.data)) return;
      const message: HostMessage = event.data;
      switch (message.type) {
        case "playground:open":
          window.clearInterval(this.readyTimer);
          if (message.theme && isTheme(message.theme)) applyTheme(message.theme);
          handlers.open(message.source, message.title, {
            serverKernels: message.serverKernels === true,
            kernel: message.kernel === "server" && message.serverKernels === true ? "server" : "browser",
          });
          break;
        case "playground:theme":
          applyTheme(message.theme);
          break;
        case "playground:request-save":
          handlers.requestSave();
          break;
        case "playground:kernel-state": {
          const { state, message: text, position, workers, attached } = message;
          handlers.kernelState?.({ state, message: text, position, workers, attached });
          break;
        }
        case "playground:kernel-frame":
          handlers.kernelFrame?.(message.frame, message.replay);
          break;
        case "playground:folder":
          handlers.folder?.(message.files, message.writable);
          break;
      }
    });
  }

  /** Say "ready" until the host sends the notebook (its script may start after ours). */
  announce(): void {
    this.post({ type: "playground:ready" });
    this.readyTimer = window.setInterval(() => this.post({ type: "playground:ready" }), READY_INTERVAL_MS);
  }

  post(message: FrameMessage): void {
    if (window.parent === window) return;
    window.parent.postMessage(message, this.appOrigin);
  }
}
