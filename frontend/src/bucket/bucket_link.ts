// The page's side of a mounted bucket (docs/folders.md, "Your own bucket"): it
// lists the prefix and signs an address per object (signing.ts), hands the
// listing to the kernel worker as a folder of Python's (KernelClient.setBucket),
// signs again before the addresses expire, and after each run signs a PUT or
// DELETE for every file Python changed there, which the worker sends. The
// network is the worker's (the page's CSP allows only its own origin); the keys
// never leave this page.

import type { KernelClient } from "../kernel/client";
import type { BucketFile, BucketRequest, BucketWrite } from "../kernel/messages";
import { ADDRESS_LIFETIME_SECONDS, BucketSigner, bucketError, parseListing } from "./signing";
import type { BucketSettings } from "./settings";

/** More objects than this are not mounted (a prefix narrows it). */
export const MAX_OBJECTS = 10_000;
/** Addresses are signed again this long before they expire. */
const REFRESH_MARGIN_SECONDS = 600;

export type BucketNoticeLevel = "progress" | "info" | "error";

export interface BucketEvents {
  /** What happened, in words the user reads (mounting, saving, what went wrong). */
  notice(text: string, level: BucketNoticeLevel): void;
  /** The mount changed: its path, or null when nothing is mounted. */
  mounted(root: string | null): void;
}

export class BucketLink {
  private settings: BucketSettings | null = null;
  private signer: BucketSigner | null = null;
  private refreshTimer = 0;
  /** Bumped by every mount and unmount: an older listing still under way is dropped. */
  private generation = 0;

  constructor(
    private readonly kernel: KernelClient,
    private readonly events: BucketEvents,
  ) {
    kernel.subscribe({
      bucketWritten: (root, files, removed) => void this.sendWrites(root, files, removed),
    });
  }

  get root(): string | null {
    return this.settings?.mountPath ?? null;
  }

  /** List the bucket and mount it; true when it is mounted. */
  async mount(settings: BucketSettings): Promise<boolean> {
    const generation = ++this.generation;
    window.clearTimeout(this.refreshTimer);
    const signer = new BucketSigner(settings);
    this.events.notice(`Listing ${settings.bucket}/${settings.prefix}…`, "progress");
    let files: BucketFile[];
    let cut: boolean;
    try {
      ({ files, cut } = await this.list(signer, settings));
    } catch (error) {
      if (generation === this.generation) this.events.notice(error instanceof Error ? error.message : String(error), "error");
      return false;
    }
    if (generation !== this.generation) return false;
    if (this.settings !== null && this.settings.mountPath !== settings.mountPath) this.kernel.setBucket(null);
    this.settings = settings;
    this.signer = signer;
    this.kernel.setBucket({ root: settings.mountPath, files });
    this.events.mounted(settings.mountPath);
    const count = `${files.length} ${files.length === 1 ? "file" : "files"}`;
    this.events.notice(
      cut
        ? `Mounted the first ${MAX_OBJECTS} objects of ${settings.bucket}/${settings.prefix} at ${settings.mountPath}; give a prefix to mount the others.`
        : `Mounted ${settings.bucket}/${settings.prefix} at ${settings.mountPath} (${count}).`,
      "info",
    );
    this.refreshTimer = window.setTimeout(() => void this.mount(settings), (ADDRESS_LIFETIME_SECONDS - REFRESH_MARGIN_SECONDS) * 1000);
    return true;
  }

  /** Python's folder of the bucket goes (its unsent changes with it); the keys stay where they are kept. */
  unmount(): void {
    this.generation++;
    window.clearTimeout(this.refreshTimer);
    if (this.settings === null) return;
    this.kernel.setBucket(null);
    this.settings = null;
    this.signer = null;
    this.events.mounted(null);
    this.events.notice("Unmounted the bucket.", "info");
  }

  private async list(signer: BucketSigner, settings: BucketSettings): Promise<{ files: BucketFile[]; cut: boolean }> {
    const files: BucketFile[] = [];
    let token: string | null = null;
    do {
      const answer = await this.kernel.bucketList(await signer.listUrl(token));
      if (answer.status === 0) {
        throw new Error(
          `The bucket could not be reached (${answer.text}). Check the endpoint, and that the bucket's CORS configuration ` +
            `allows ${location.origin} (see "Your own bucket" in the docs).`,
        );
      }
      if (answer.status !== 200) {
        const why = bucketError(answer.text);
        const hint = answer.status === 403
          ? "Check the access key, its secret and the region, and that the key may list the bucket."
          : answer.status === 404 ? "Check the bucket's name and the endpoint." : "";
        throw new Error(`The bucket refused the listing (HTTP ${answer.status}${why ? `, ${why}` : ""}). ${hint}`.trim());
      }
      const page = parseListing(answer.text);
      for (const object of page.objects) {
        const path = object.key.slice(settings.prefix.length);
        if (!object.key.startsWith(settings.prefix) || !usablePath(path)) continue; // folder markers, odd names
        if (files.length >= MAX_OBJECTS) return { files, cut: true };
        files.push({ path, size: object.size, etag: object.etag, url: await signer.objectUrl("GET", path) });
      }
      token = page.next;
    } while (token !== null);
    return { files, cut: false };
  }

  /** After a run: sign what Python changed under the mount; the worker sends it. */
  private async sendWrites(root: string, files: BucketWrite[], removed: string[]): Promise<void> {
    const signer = this.signer;
    if (signer === null || root !== this.root) return;
    if (signer.readOnly) {
      const names = [...files.map((file) => file.path), ...removed].join(", ");
      this.events.notice(
        `Not saved to the bucket: ${names}. It is mounted without keys (read-only); Python's changes stay in this page.`,
        "info",
      );
      return;
    }
    const requests: BucketRequest[] = [];
    for (const file of files) {
      if (usablePath(file.path)) requests.push({ path: file.path, method: "PUT", url: await signer.objectUrl("PUT", file.path) });
    }
    for (const path of removed) {
      if (usablePath(path)) requests.push({ path, method: "DELETE", url: await signer.objectUrl("DELETE", path) });
    }
    if (requests.length === 0) return;
    this.events.notice(`Saving ${requests.length} ${requests.length === 1 ? "change" : "changes"} to the bucket…`, "progress");
    let results;
    try {
      results = await this.kernel.bucketSync(requests);
    } catch (error) {
      this.events.notice(`Python's changes under ${root} were not saved to the bucket: ${error instanceof Error ? error.message : String(error)}`, "error");
      return;
    }
    const failed = results.filter((result) => !result.ok);
    if (failed.length === 0) {
      const saved = results.filter((r) => r.method === "PUT").map((r) => r.path);
      const deleted = results.filter((r) => r.method === "DELETE").map((r) => r.path);
      const parts = [saved.length ? `saved ${saved.join(", ")}` : "", deleted.length ? `deleted ${deleted.join(", ")}` : ""].filter(Boolean);
      this.events.notice(`Bucket: ${parts.join("; ")}.`, "info");
      return;
    }
    const names = failed.map((r) => `${r.path} (${r.status ? `HTTP ${r.status}` : r.error})`).join(", ");
    this.events.notice(
      `Not saved to the bucket: ${names}. They are tried again after the next run; check that the key may write ` +
        "and that the bucket's CORS allows PUT and DELETE.",
      "error",
    );
  }
}

/** A key (less the prefix) that is a file path here: no folder marker, no empty, "." or ".." part. */
function usablePath(path: string): boolean {
  return path !== "" && path.length <= 1024 && path.split("/").every((part) => part !== "" && part !== "." && part !== ".." && !/[\x00-\x1f]/.test(part));
}
