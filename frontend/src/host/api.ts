// JSON calls from the app's pages to /api/, with the session cookie and the CSRF token.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.error === "string" ? body.error : `the server answered ${status}`);
    this.status = status;
    this.code = typeof body.code === "string" ? body.code : "";
    this.body = body;
  }
}

export async function apiCall<T>(method: string, url: string, csrfToken: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: "The server could not be reached. Check your connection; nothing was lost here.", code: "network" });
  }
  let data: Record<string, unknown> = {};
  try {
    data = (await response.json()) as Record<string, unknown>;
  } catch {
    data = {};
  }
  if (!response.ok) {
    if (response.status === 403 && data.detail === "CSRF check Failed") {
      data = { error: "Your session has expired: reload the page and sign in again (copy your changes first).", code: "csrf" };
    } else if (response.status === 401) {
      data = { error: "You are signed out: sign in again in another tab, then save.", code: "unauthenticated" };
    }
    throw new ApiError(response.status, data);
  }
  return data as T;
}
