// The frame's end of the hosted-playground messages (hosting/messages.ts): it
// announces itself to the app's page that frames it, takes the notebook from it,
// and reports edits and save requests back. Only the parent window, from the
// app's origin, is listened to.

import { applyTheme, isTheme } from "../theme";
import { type FrameMessage, type HostMessage, isHostMessage } from "./messages";

const READY_INTERVAL_MS = 300;

export interface FrameChannelHandlers {
  open(source: string, title: string): void;
  requestSave(): void;
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
      if (message.type === "playground:open") {
        window.clearInterval(this.readyTimer);
        if (message.theme && isTheme(message.theme)) applyTheme(message.theme);
        handlers.open(message.source, message.title);
      } else if (message.type === "playground:theme") {
        applyTheme(message.theme);
      } else {
        handlers.requestSave();
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
