// The notebook folder's API (docs/folders.md) from the app's pages: list,
// upload (one multipart POST with upload progress), write, rename, delete, and
// the download address. Every change answers with the whole new folder.
// Failures are ApiError with the service's `{error, code}` (host/api.ts).

import type { FolderFile } from "../kernel/messages";
import { ApiError, apiCall } from "./api";

export interface Folder {
  revision: number;
  files: FolderFile[];
}

/** A path's parts, each escaped, joined by "/" (the route takes the path as it is). */
export function pathInUrl(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export class FolderApi {
  /**
   * `url`: the folder's route, `/api/notebooks/<id>/files` (or a share link's
   * `/api/shared/<token>/files`, read only).
   */
  constructor(readonly url: string, private readonly csrfToken: string) {}

  list(): Promise<Folder> {
    return apiCall<Folder>("GET", this.url, this.csrfToken);
  }

  /**
   * Where Download goes: the notebook's route, which redirects to the file's
   * signed address as an attachment. A share link's folder has no such route:
   * the signed address itself (its bytes are application/octet-stream, so the
   * browser saves them).
   */
  downloadUrl(path: string, file: FolderFile): string {
    return this.url.startsWith("/api/shared/") ? file.url : `${this.url}/${pathInUrl(path)}`;
  }

  rename(from: string, to: string): Promise<Folder> {
    return apiCall<Folder>("POST", `${this.url}/rename`, this.csrfToken, { from, to });
  }

  remove(path: string): Promise<Folder> {
    return apiCall<Folder>("DELETE", `${this.url}/${pathInUrl(path)}`, this.csrfToken);
  }

  /** Write one file, new or replacing it (raw body). */
  write(path: string, data: BlobPart): Promise<Folder> {
    return this.send("PUT", `${this.url}/${pathInUrl(path)}`, new Blob([data], { type: "application/octet-stream" }));
  }

  /**
   * Several files in one revision, each under its own name (inside `folder`, when
   * given); `progress` gets 0..1 while the bytes go.
   */
  upload(files: File[], progress?: (fraction: number) => void, folder = ""): Promise<Folder> {
    const form = new FormData();
    for (const file of files) form.append("file", file, file.name);
    if (folder) form.append("folder", folder);
    return this.send("POST", this.url, form, progress);
  }

  /** XMLHttpRequest rather than fetch: its upload reports progress. */
  private send(method: string, url: string, body: Blob | FormData, progress?: (fraction: number) => void): Promise<Folder> {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      request.responseType = "text";
      request.setRequestHeader("X-CSRFToken", this.csrfToken);
      request.setRequestHeader("Accept", "application/json");
      if (progress) {
        request.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) progress(event.loaded / event.total);
        };
      }
      request.onerror = () =>
        reject(new ApiError(0, { error: "The server could not be reached. Check your connection and try again; nothing was changed.", code: "network" }));
      request.onload = () => {
        let data: Record<string, unknown> = {};
        try {
          data = JSON.parse(request.responseText) as Record<string, unknown>;
        } catch {
          data = {};
        }
        if (request.status >= 200 && request.status < 300) {
          resolve(data as unknown as Folder);
          return;
        }
        if (request.status === 413 && typeof data.error !== "string") {
          data = { error: "The upload is larger than the server takes. Nothing was changed.", code: "too_large" };
        } else if (request.status === 403 && data.detail === "CSRF check Failed") {
          data = { error: "Your session has expired: reload the page and try again.", code: "csrf" };
        } else if (request.status === 401) {
          data = { error: "You are signed out: sign in again in another tab, then try again.", code: "unauthenticated" };
        }
        reject(new ApiError(request.status, data));
      };
      request.send(body);
    });
  }
}
