// What the user types to mount a bucket of their own (docs/folders.md, "Your own
// bucket"), its checks, and where it is kept: this browser's localStorage on the
// user-content origin, only when asked to ("Remember"), removed by "Forget".
// localStorage belongs to the page: the kernel worker, where notebook code runs,
// cannot read it (a worker has no localStorage), and nothing here is ever sent
// to a server of ours.

export interface BucketSettings {
  /** The S3 API's address: "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000". */
  endpoint: string;
  region: string;
  bucket: string;
  /** Only keys under it are mounted, without it: "" or "datasets/2024/". */
  prefix: string;
  /** Empty with the secret too for a public bucket: nothing is signed, and only reading works. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token (AWS STS, SSO), sent with each signed address; "" for long-term keys. */
  sessionToken: string;
  /** Where Python sees it: a folder under /mnt/. */
  mountPath: string;
}

export const DEFAULT_MOUNT_PATH = "/mnt/data";
const STORAGE_KEY = "playground:bucket";

/** The settings with their text tidied (no trailing "/" on the endpoint, one on a prefix), or what is wrong. */
export function checkSettings(raw: BucketSettings): { settings: BucketSettings } | { problem: string } {
  const settings: BucketSettings = {
    endpoint: raw.endpoint.trim().replace(/\/+$/, ""),
    region: raw.region.trim() || "us-east-1",
    bucket: raw.bucket.trim(),
    prefix: raw.prefix.trim().replace(/^\/+/, ""),
    accessKeyId: raw.accessKeyId.trim(),
    secretAccessKey: raw.secretAccessKey.trim(),
    sessionToken: (raw.sessionToken ?? "").trim(),
    mountPath: raw.mountPath.trim().replace(/\/+$/, "") || DEFAULT_MOUNT_PATH,
  };
  if (settings.prefix && !settings.prefix.endsWith("/")) settings.prefix += "/";
  let endpoint: URL;
  try {
    endpoint = new URL(settings.endpoint);
  } catch {
    return { problem: "The endpoint is not an address: give the S3 API's, such as https://s3.eu-west-1.amazonaws.com." };
  }
  if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") {
    return { problem: "The endpoint must start with https:// (or http:// for a server on this computer)." };
  }
  if (endpoint.search || endpoint.hash || endpoint.username || endpoint.password) {
    return { problem: "The endpoint must be a plain address, without a query, a fragment or a user name." };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(settings.bucket)) {
    return { problem: "The bucket name must be 3 to 63 characters: lower-case letters, digits, dots and hyphens." };
  }
  if (settings.prefix.split("/").slice(0, -1).some((part) => part === "" || part === "." || part === "..")) {
    return { problem: "The prefix must be folder names separated by /, without empty, . or .. parts." };
  }
  if (!/^[\x21-\x7e]+$/.test(settings.region)) return { problem: "The region must be a name such as us-east-1." };
  if (!settings.accessKeyId !== !settings.secretAccessKey) {
    return { problem: "Give the access key id and its secret (or neither, for a public bucket)." };
  }
  if (settings.sessionToken && !settings.accessKeyId) {
    return { problem: "A session token goes with the temporary access key id and secret it was issued with: give them too." };
  }
  const parts = settings.mountPath.split("/");
  if (parts[0] !== "" || parts[1] !== "mnt" || parts.length < 3 || parts.slice(2).some((p) => !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(p))) {
    return { problem: "The mount path must be a folder under /mnt/, such as /mnt/data (letters, digits, . _ -)." };
  }
  return { settings };
}

/**
 * Whether this page may keep anything in localStorage. A framed playground may
 * not: browsers that block third-party storage (Chromium here) deny it to the
 * user-content site inside the app's page, so settings last until the page closes.
 */
export function canRemember(): boolean {
  try {
    return typeof localStorage !== "undefined" && localStorage !== null;
  } catch {
    return false;
  }
}

/** The settings remembered in this browser, if any. */
export function rememberedSettings(): BucketSettings | null {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    if (!text) return null;
    const value = JSON.parse(text) as Partial<BucketSettings>;
    const fields: (keyof BucketSettings)[] = ["endpoint", "region", "bucket", "prefix", "accessKeyId", "secretAccessKey", "mountPath"];
    if (fields.some((field) => typeof value[field] !== "string")) return null;
    // Settings remembered before session tokens existed have none.
    return { ...value, sessionToken: typeof value.sessionToken === "string" ? value.sessionToken : "" } as BucketSettings;
  } catch {
    return null;
  }
}

export function rememberSettings(settings: BucketSettings): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

export function forgetSettings(): void {
  localStorage.removeItem(STORAGE_KEY);
}
