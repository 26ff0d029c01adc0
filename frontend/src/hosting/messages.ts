// Messages between the app's notebook pages ("the host", on APP_ORIGIN) and the
// playground they frame ("the frame", /play?hosted=1 on USERCONTENT_ORIGIN), sent
// with postMessage (docs/frontend-contract.md, "Hosted playground"). Both sides
// check the sender: the host only reads messages whose source is its iframe's
// window and whose origin is the user-content origin; the frame only reads its
// parent's, from the app's origin.

import { isTheme, type Theme } from "../theme";

/** frame → host */
export type FrameMessage =
  /** The frame listens; repeated until the host answers with `open`. */
  | { type: "playground:ready" }
  /** The notebook from `open` is on screen (and running). */
  | { type: "playground:opened" }
  /** The notebook sent in `open` could not be read. */
  | { type: "playground:error"; message: string }
  /** The user edited the notebook; its text (`changed`) follows once written. Sent at once, so the host guards the tab. */
  | { type: "playground:dirty" }
  /** The user edited the notebook; `source` is the whole notebook in our .py format. */
  | { type: "playground:changed"; source: string }
  /** The user asked to save (Ctrl/Cmd-S), or the host asked with `request-save`. */
  | { type: "playground:save"; source: string };

/** host → frame */
export type HostMessage =
  | { type: "playground:open"; source: string; title: string; theme?: Theme }
  | { type: "playground:request-save" }
  /** The host page's light/dark choice ("system" follows the system). */
  | { type: "playground:theme"; theme: Theme };

const FRAME_TYPES = new Set(["playground:ready", "playground:dirty", "playground:opened", "playground:error", "playground:changed", "playground:save"]);
const HOST_TYPES = new Set(["playground:open", "playground:request-save", "playground:theme"]);

export function isFrameMessage(data: unknown): data is FrameMessage {
  if (typeof data !== "object" || data === null) return false;
  const message = data as { type?: unknown; source?: unknown; message?: unknown };
  if (typeof message.type !== "string" || !FRAME_TYPES.has(message.type)) return false;
  if ((message.type === "playground:changed" || message.type === "playground:save") && typeof message.source !== "string") return false;
  if (message.type === "playground:error" && typeof message.message !== "string") return false;
  return true;
}

export function isHostMessage(data: unknown): data is HostMessage {
  if (typeof data !== "object" || data === null) return false;
  const message = data as { type?: unknown; source?: unknown; title?: unknown };
  if (typeof message.type !== "string" || !HOST_TYPES.has(message.type)) return false;
  if (message.type === "playground:open" && (typeof message.source !== "string" || typeof message.title !== "string")) return false;
  if (message.type === "playground:theme" && !isTheme((message as { theme?: unknown }).theme)) return false;
  return true;
}
