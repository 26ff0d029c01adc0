// The configuration Django gives the app's notebook pages in #host-config
// (pages/host_page.py): which page this is, the framed playground, the notebook.

export interface HostedNotebook {
  id: string;
  title: string;
  revision: number;
  content: string;
  mode: "edit" | "read";
  showCode: boolean;
}

export interface HostConfig {
  page: "editor" | "viewer" | "import" | "save-from-play" | "carry-files";
  frameUrl: string;
  frameOrigin: string;
  csrfToken: string;
  notebook: HostedNotebook;
  // editor
  saveUrl?: string;
  eventsUrl?: string;
  autosaveDelayMs?: number;
  // viewer
  canFork?: boolean;
  signedIn?: boolean;
  // import: where a "Save to account" link (#code/...) goes instead
  saveFromPlayUrl?: string;
  // save-from-play: the playground's site and its pop-up that hands over a draft's files
  usercontentOrigin?: string;
  carryUrl?: string;
  // carry-files (on the playground's site): the only origin it answers
  appOrigin?: string;
}

export function readHostConfig(doc: Document = document): HostConfig | null {
  const element = doc.getElementById("host-config");
  if (!element) return null;
  try {
    return JSON.parse(element.textContent || "null") as HostConfig;
  } catch {
    return null;
  }
}
