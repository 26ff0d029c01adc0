// Addresses of a bucket of the user's own, signed in the page with AWS Signature
// Version 4 in the query string (aws4fetch, on crypto.subtle): each one names one
// request (a listing page, one object's GET, PUT or DELETE) and expires after
// ADDRESS_LIFETIME_SECONDS. Temporary credentials' session token goes in each
// address (X-Amz-Security-Token); a public bucket, mounted without keys, gets
// plain addresses. The kernel worker gets only these addresses, never the keys. Path-style addressing (`<endpoint>/<bucket>/<key>`), which AWS S3,
// MinIO, Cloudflare R2, Backblaze B2 and moto all take.

import { AwsClient } from "aws4fetch";
import type { BucketSettings } from "./settings";

export const ADDRESS_LIFETIME_SECONDS = 3600;
/** A listing page holds at most this many keys (S3's own maximum). */
const LIST_PAGE_KEYS = 1000;

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

export interface ListingPage {
  objects: ListedObject[];
  /** The continuation token of the next page, or null for the last one. */
  next: string | null;
}

export class BucketSigner {
  /** Null for a public bucket: its addresses are not signed. */
  private readonly client: AwsClient | null;

  constructor(private readonly settings: BucketSettings) {
    this.client = settings.accessKeyId
      ? new AwsClient({
          accessKeyId: settings.accessKeyId,
          secretAccessKey: settings.secretAccessKey,
          sessionToken: settings.sessionToken || undefined,
          service: "s3",
          region: settings.region,
        })
      : null;
  }

  /** Mounted without keys (a public bucket): Python's changes are not sent. */
  get readOnly(): boolean {
    return this.client === null;
  }

  /** ListObjectsV2 of the prefix, one page. */
  listUrl(continuationToken: string | null): Promise<string> {
    const url = new URL(`${this.settings.endpoint}/${encodeURIComponent(this.settings.bucket)}`);
    url.searchParams.set("list-type", "2");
    url.searchParams.set("max-keys", String(LIST_PAGE_KEYS));
    if (this.settings.prefix) url.searchParams.set("prefix", this.settings.prefix);
    if (continuationToken) url.searchParams.set("continuation-token", continuationToken);
    return this.presign("GET", url);
  }

  /** GET, PUT or DELETE of the object at `path` under the prefix. */
  objectUrl(method: "GET" | "PUT" | "DELETE", path: string): Promise<string> {
    const key = this.settings.prefix + path;
    const url = new URL(`${this.settings.endpoint}/${encodeURIComponent(this.settings.bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`);
    return this.presign(method, url);
  }

  private async presign(method: string, url: URL): Promise<string> {
    if (this.client === null) return url.toString();
    url.searchParams.set("X-Amz-Expires", String(ADDRESS_LIFETIME_SECONDS));
    const signed = await this.client.sign(url.toString(), { method, aws: { signQuery: true } });
    return signed.url;
  }
}

/** A ListObjectsV2 answer (XML), or the bucket's error (`<Error><Code>`) as an Error. */
export function parseListing(xml: string): ListingPage {
  const document = new DOMParser().parseFromString(xml, "application/xml");
  const text = (parent: Element | Document, name: string) => parent.getElementsByTagName(name)[0]?.textContent ?? "";
  if (document.getElementsByTagName("parsererror").length > 0) throw new Error("the bucket's answer is not a listing");
  const root = document.documentElement;
  if (root.nodeName === "Error") {
    throw new Error(`${text(document, "Code") || "error"}: ${text(document, "Message")}`);
  }
  const objects = [...root.getElementsByTagName("Contents")].map((item) => ({
    key: text(item, "Key"),
    size: Number(text(item, "Size")),
    etag: text(item, "ETag"),
  }));
  const truncated = text(root, "IsTruncated") === "true";
  return { objects, next: truncated ? text(root, "NextContinuationToken") || null : null };
}

/** An S3 error document's code and message, when the answer is one. */
export function bucketError(xml: string): string {
  try {
    parseListing(xml);
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
