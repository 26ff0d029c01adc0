// Messages between the app's notebook pages ("the host", on APP_ORIGIN) and the
// playground they frame ("the frame", /play?hosted=1 on USERCONTENT_ORIGIN), sent
// with postMessage (docs/frontend-contract.md, "Hosted playground"). Both sides
// check the sender: the host only reads messages whose source is its iframe's
// window and whose origin is the user-content origin; the frame only reads its
// parent's, from the app's origin.
//
// Server kernels (docs/frontend-contract.md, "Server kernels") also cross here:
// the frame has none of the app's cookies, so the host holds the kernel's API
// calls and websocket and relays what they carry, unchanged.

import type { Command, FolderFile, KernelEvent, WrittenFile } from "../kernel/messages";
import { isTheme, type Theme } from "../theme";

/** Where the notebook's code runs: the page's own Python, or a server kernel. */
export type KernelMode = "browser" | "server";

/**
 * A server kernel session as the host sees it: the service's states (queued,
 * starting, idle, running, lost, culled, stopped, dead), plus the host's own:
 * "connecting" (asked, no answer yet), "unavailable" (the server has no server
 * kernels: `message` says why), "error" (the API or the websocket failed, or
 * refused: `message`), "off" (back on the browser kernel).
 */
export type ServerKernelState =
  | "connecting"
  | "queued"
  | "starting"
  | "idle"
  | "running"
  | "lost"
  | "culled"
  | "stopped"
  | "dead"
  | "unavailable"
  | "error"
  | "off";

export const SERVER_KERNEL_STATES: readonly ServerKernelState[] = [
  "connecting", "queued", "starting", "idle", "running", "lost", "culled", "stopped", "dead", "unavailable", "error", "off",
];

export interface ServerKernelStatus {
  state: ServerKernelState;
  /** Why it ended or cannot start, for people; "" while it runs. */
  message: string;
  /** Place in the queue while queued (1 = next), else null. */
  position: number | null;
  /** Kernel workers alive (0: nothing can start now), null when unknown. */
  workers: number | null;
  /**
   * The websocket has delivered every frame the session had sent when the page
   * joined it (the replay): from now on frames are live.
   */
  attached: boolean;
}

/** One websocket frame of a server kernel session, as the service sends it. */
export interface PackageNoticeFrame {
  cell_id: string;
  level: "progress" | "info" | "error";
  text: string;
}

const NOTICE_LEVELS = new Set(["progress", "info", "error"]);

export type KernelFrame =
  | { seq: number; event: KernelEvent }
  | { seq: number; session: { state: string; message: string } }
  /** A package the worker installs (or could not) before a cell that imports it runs. */
  | { seq: number; notice: PackageNoticeFrame }
  /** Unnumbered: about this socket only (a command the service refused). */
  | { event: KernelEvent }
  /** Frames after the page's last one were no longer kept: the host sends the last outputs instead. */
  | { resync: true };

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
  | { type: "playground:save"; source: string }
  /** The user chose where the code runs (the toolbar's switch). */
  | { type: "playground:kernel-mode"; mode: KernelMode }
  /** A kernel protocol command for the server kernel (interrupt and input_reply included). */
  | { type: "playground:kernel-command"; command: Command }
  /** Restart or shut down the server kernel (the service's API). */
  | { type: "playground:kernel-control"; action: "restart" | "shutdown" }
  /** After a run: what Python created or changed in the notebook's folder (bytes), and what it deleted. */
  | { type: "playground:files-written"; files: WrittenFile[]; removed: string[] };

/** host → frame */
export type HostMessage =
  | {
      type: "playground:open";
      source: string;
      title: string;
      theme?: Theme;
      /** Whether the switch to a server kernel is offered (an editor who may edit the notebook). */
      serverKernels?: boolean;
      /** Where the notebook ran when this browser last had it open. */
      kernel?: KernelMode;
    }
  | { type: "playground:request-save" }
  /** The host page's light/dark choice ("system" follows the system). */
  | { type: "playground:theme"; theme: Theme }
  /** The server kernel's state changed (or its queue position, or the workers alive). */
  | ({ type: "playground:kernel-state" } & ServerKernelStatus)
  /** A frame of the server kernel's websocket; `replay`: sent before the page joined. */
  | { type: "playground:kernel-frame"; frame: KernelFrame; replay: boolean }
  /**
   * The notebook's folder, whole: before the first `open`, and after every change.
   * `writable`: this person may change it (what Python writes is saved).
   */
  | { type: "playground:folder"; files: FolderFile[]; writable: boolean };

const FRAME_TYPES = new Set([
  "playground:ready", "playground:dirty", "playground:opened", "playground:error", "playground:changed", "playground:save",
  "playground:kernel-mode", "playground:kernel-command", "playground:kernel-control", "playground:files-written",
]);
const HOST_TYPES = new Set([
  "playground:open", "playground:request-save", "playground:theme", "playground:kernel-state", "playground:kernel-frame",
  "playground:folder",
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A protocol command or event: an object with a string `type` (the kernel checks the rest). */
function isTyped(value: unknown): boolean {
  return isObject(value) && typeof value.type === "string";
}

export function isKernelMode(value: unknown): value is KernelMode {
  return value === "browser" || value === "server";
}

export function isKernelFrame(value: unknown): value is KernelFrame {
  if (!isObject(value)) return false;
  if (value.resync === true) return true;
  if ("seq" in value && (typeof value.seq !== "number" || !Number.isInteger(value.seq))) return false;
  if ("event" in value) return isTyped(value.event);
  if ("notice" in value) {
    const notice = value.notice;
    return typeof value.seq === "number" && isObject(notice) && typeof notice.cell_id === "string"
      && typeof notice.level === "string" && NOTICE_LEVELS.has(notice.level) && typeof notice.text === "string";
  }
  if ("session" in value) {
    const session = value.session;
    return typeof value.seq === "number" && isObject(session) && typeof session.state === "string" && typeof session.message === "string";
  }
  return false;
}

export function isServerKernelStatus(value: Record<string, unknown>): boolean {
  return (
    SERVER_KERNEL_STATES.includes(value.state as ServerKernelState) &&
    typeof value.message === "string" &&
    (value.position === null || typeof value.position === "number") &&
    (value.workers === null || typeof value.workers === "number") &&
    typeof value.attached === "boolean"
  );
}

export function isFolderFile(value: unknown): value is FolderFile {
  return (
    isObject(value) &&
    typeof value.path === "string" && value.path !== "" &&
    typeof value.size === "number" && Number.isInteger(value.size) && value.size >= 0 &&
    typeof value.sha256 === "string" && /^[0-9a-f]{64}$/.test(value.sha256) &&
    typeof value.url === "string"
  );
}

function isWrittenFile(value: unknown): value is WrittenFile {
  return isObject(value) && typeof value.path === "string" && value.path !== "" && value.data instanceof ArrayBuffer;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item !== "");
}

export function isFrameMessage(data: unknown): data is FrameMessage {
  if (!isObject(data)) return false;
  const message = data;
  if (typeof message.type !== "string" || !FRAME_TYPES.has(message.type)) return false;
  if ((message.type === "playground:changed" || message.type === "playground:save") && typeof message.source !== "string") return false;
  if (message.type === "playground:error" && typeof message.message !== "string") return false;
  if (message.type === "playground:kernel-mode" && !isKernelMode(message.mode)) return false;
  if (message.type === "playground:kernel-command" && !isTyped(message.command)) return false;
  if (message.type === "playground:kernel-control" && message.action !== "restart" && message.action !== "shutdown") return false;
  if (message.type === "playground:files-written") {
    if (!Array.isArray(message.files) || !message.files.every(isWrittenFile) || !isStringList(message.removed)) return false;
  }
  return true;
}

export function isHostMessage(data: unknown): data is HostMessage {
  if (!isObject(data)) return false;
  const message = data;
  if (typeof message.type !== "string" || !HOST_TYPES.has(message.type)) return false;
  if (message.type === "playground:open") {
    if (typeof message.source !== "string" || typeof message.title !== "string") return false;
    if (message.serverKernels !== undefined && typeof message.serverKernels !== "boolean") return false;
    if (message.kernel !== undefined && !isKernelMode(message.kernel)) return false;
  }
  if (message.type === "playground:theme" && !isTheme(message.theme)) return false;
  if (message.type === "playground:kernel-state" && !isServerKernelStatus(message)) return false;
  if (message.type === "playground:kernel-frame" && (!isKernelFrame(message.frame) || typeof message.replay !== "boolean")) return false;
  if (message.type === "playground:folder") {
    if (!Array.isArray(message.files) || !message.files.every(isFolderFile) || typeof message.writable !== "boolean") return false;
  }
  return true;
}
