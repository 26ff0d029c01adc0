// The playground page: toolbar, notebook, side panels, and where the notebook
// comes from (a #code/ link, else the last local draft, else the starter).
// `?mode=read` shows the app view (outputs only); `?embed=true` drops the chrome;
// `?hosted=1` is framed by one of the app's pages, which sends the notebook and
// saves it to the server (hosting/frame_channel.ts), so no drafts are used; an
// editor's page may also run it on a server kernel (server_kernel/).
// The standalone playground keeps each draft's files (storage/draft_files.ts) as
// Python's working directory, shown in the sidebar's files panel.

import "./styles.css";
import { actionButton as button } from "./buttons";
import { BucketDialog } from "./bucket/bucket_dialog";
import { BucketLink } from "./bucket/bucket_link";
import { LinksPanel } from "./cells/links_panel";
import { NotebookView } from "./cells/notebook_view";
import type { PlaygroundConfig } from "./config";
import type { KernelState } from "./kernel/client";
import type { KernelSwitch } from "./kernel/switch";
import type { NotebookFile } from "./kernel/messages";
import { configureOutputFrames } from "./outputs/frame";
import { VariablesPanel } from "./outputs/variables_panel";
import { FrameChannel, type OpenOptions } from "./hosting/frame_channel";
import { ServerKernelControls } from "./server_kernel/controls";
import { asMarimoFile, embedSnippet, importUrl, LinkProblem, shareUrl, sourceFromHash } from "./share/link";
import { FindPanel } from "./cells/find_panel";
import { ShortcutsDialog } from "./cells/shortcuts";
import { SharePanel } from "./share/share_panel";
import { siteControls } from "./site_page";
import { EMPTY_NOTEBOOK } from "./starter";
import { themeButton } from "./theme";
import { latestDraft, newDraftId, saveDraft, type Draft } from "./storage/drafts";
import { DraftsPanel } from "./storage/drafts_panel";
import { DraftFolder } from "./storage/draft_files";
import { FilesPanel } from "./host/files_panel";

const AUTOSAVE_DELAY_MS = 2000;
/** Hosted: how long typing pauses before the host hears about the edit. */
const REPORT_DELAY_MS = 400;

export interface AppOptions {
  config: PlaygroundConfig;
  kernel: KernelSwitch;
  root: HTMLElement;
}

const STATE_TEXT: Record<KernelState, string> = {
  booting: "starting Python…",
  ready: "ready",
  busy: "running…",
  dead: "stopped",
};

class KernelStatus {
  readonly element = document.createElement("span");

  constructor(private readonly kernel: KernelSwitch) {
    this.element.dataset.testid = "kernel-status";
    this.element.className = "kernel-status";
    this.element.setAttribute("role", "status");
    this.show(kernel.state, kernel.stateDetail);
    kernel.subscribe({ state: (state, detail) => this.show(state, detail) });
  }

  private show(state: KernelState, detail: string): void {
    const python = this.kernel.inBrowser ? "Python" : "Server Python";
    this.element.dataset.state = state;
    this.element.textContent = state === "booting" ? detail || STATE_TEXT.booting : state === "dead" ? `${python} stopped` : `${python} ${STATE_TEXT[state]}`;
    this.element.title = detail;
  }
}

/** The toolbar's "Bucket" dialog and the link that mounts the bucket in the browser's worker. */
function bucketControls(parent: HTMLElement, kernel: KernelSwitch): BucketDialog {
  let dialog: BucketDialog | null = null;
  const link = new BucketLink(kernel.browser, {
    notice: (text, level) => dialog?.show(text, level),
    mounted: (root) => dialog?.mounted(root),
  });
  dialog = new BucketDialog(parent, link);
  return dialog;
}

export async function mountApp({ config, kernel, root: host }: AppOptions): Promise<void> {
  const readOnly = config.mode === "read";
  const hosted = config.hosted;
  configureOutputFrames(config.outputFrameUrl);
  const root = document.createElement("div");
  root.className = `playground mode-${config.mode}${config.embed ? " embed" : ""}`;
  if (host === document.body) host.append(root);
  else host.replaceChildren(root);

  let draftId = newDraftId();
  let loadedFromLink = false;
  let autosaveTimer = 0;
  let dirty = false;
  const saveState = document.createElement("span");
  saveState.className = "save-state muted";
  saveState.setAttribute("aria-live", "polite");

  // Both panels show cells by label (cells/labels.ts), renamed on `analysed`.
  const links = new LinksPanel((id) => focusCell(id), (id) => notebook.labelOf(id));
  const variables = new VariablesPanel(kernel, (id) => focusCell(id), (id) => notebook.labelOf(id));
  const notebook = new NotebookView({
    kernel,
    readOnly,
    hooks: {
      changed: () => {
        if (hosted) {
          if (readOnly) return;
          channel?.post({ type: "playground:dirty" });
          window.clearTimeout(autosaveTimer);
          autosaveTimer = window.setTimeout(() => void report("playground:changed"), REPORT_DELAY_MS);
          return;
        }
        // Embedded notebooks belong to the page embedding them, not to this browser's drafts.
        if (readOnly || config.embed) return;
        dirty = true;
        saveState.textContent = "unsaved";
        window.clearTimeout(autosaveTimer);
        autosaveTimer = window.setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
      },
      save: () => void save(),
      selected: () => showLinks(),
      analysed: () => {
        showLinks();
        variables.relabel();
      },
    },
  });
  const showLinks = () => links.show(notebook.selected?.id ?? null, notebook.order, notebook.analyses);
  const focusCell = (id: string) => {
    const cell = notebook.cell(id);
    if (!cell) return;
    notebook.select(cell);
    cell.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
    cell.focus();
  };

  const drafts = new DraftsPanel({
    open: (draft) => openDraft(draft),
    deletedCurrent: () => {
      draftId = newDraftId();
      // The deleted draft's files go from Python's working directory too.
      draftFolder?.open(draftId);
      void files?.refresh();
    },
    currentId: () => draftId,
  });

  // The standalone playground's files: the open draft's folder, kept in this browser.
  const draftFolder = !hosted && !config.embed && !config.site
    ? new DraftFolder(
        draftId,
        { fileMaxBytes: config.folderFileMaxBytes, filesMax: config.folderFilesMax },
        { notebook: () => notebook.toFile(), changed: () => void drafts.refresh() },
      )
    : null;
  const filesElement = document.createElement("section");
  filesElement.className = "panel local-files";
  filesElement.dataset.testid = "files-panel";
  const files = draftFolder
    ? new FilesPanel({
        element: filesElement,
        api: draftFolder,
        frame: { setFolder: (list) => kernel.browser.setFolder(list) },
        writable: true,
        local: true,
      })
    : null;

  // The hosted playground's end: the app's page sends the notebook and saves it.
  const channel = hosted && config.appOrigin
    ? new FrameChannel(config.appOrigin, {
        open: (source, _title, options) => void openFromHost(source, options),
        requestSave: () => void report("playground:save"),
        kernelState: (status) => server?.state(status),
        kernelFrame: (frame, replay) => server?.frame(frame, replay),
        // The notebook's folder: Python's working directory in the browser's worker.
        folder: (files) => kernel.browser.setFolder(files),
      })
    : null;
  // What Python wrote in the folder goes to the host, which saves it (or says it stays here).
  kernel.browser.subscribe({
    filesWritten: (written, removed) => {
      channel?.post({ type: "playground:files-written", files: written, removed });
      // On /play they are kept with the open draft.
      files?.filesWritten(written, removed);
    },
  });
  // The editor's page may run the notebook on a server kernel; it holds the connection.
  const server = channel && !readOnly
    ? new ServerKernelControls({ kernels: kernel, notebook, post: (message) => channel.post(message), restartBrowser: () => restartBrowser() })
    : null;

  async function report(type: "playground:changed" | "playground:save"): Promise<void> {
    window.clearTimeout(autosaveTimer);
    if (!channel || readOnly) return;
    try {
      channel.post({ type, source: await kernel.serialize(notebook.toFile()) });
    } catch (error) {
      status.textContent = `The notebook could not be saved: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async function openFromHost(source: string, options: OpenOptions): Promise<void> {
    status.textContent = "Opening the notebook…";
    try {
      const file = await kernel.parse(source);
      // Before the cells are sent anywhere: a notebook kept on a server kernel does not start in the browser.
      server?.offer(options.serverKernels, options.kernel);
      notebook.load(file);
      status.textContent = "";
      showLinks();
      channel?.post({ type: "playground:opened" });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status.textContent = `This notebook could not be opened: ${message}`;
      channel?.post({ type: "playground:error", message });
    }
  }

  async function save(): Promise<void> {
    window.clearTimeout(autosaveTimer);
    if (hosted) return report("playground:save");
    if (readOnly || config.embed) return;
    try {
      await saveDraft(draftId, notebook.toFile());
    } catch (error) {
      saveState.textContent = `not saved: ${String(error)}`;
      return;
    }
    dirty = false;
    saveState.textContent = "saved in this browser";
    if (loadedFromLink && location.hash.startsWith("#code/")) {
      // The link's notebook is now a local draft with edits; a reload should
      // open the draft, not the original link.
      history.replaceState(null, "", location.pathname + location.search);
      loadedFromLink = false;
    }
    await drafts.refresh();
  }

  async function load(file: NotebookFile, id: string): Promise<void> {
    draftId = id;
    dirty = false;
    linkProblem.hidden = true;
    if (draftFolder && files) {
      // The draft's files are in place (a queued step in the worker) before its cells run.
      draftFolder.open(id);
      await files.refresh();
    }
    notebook.load(file);
    saveState.textContent = "";
    showLinks();
    void drafts.refresh();
  }

  function openDraft(draft: Draft): void {
    if (dirty) void save();
    loadedFromLink = false;
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    void load(draft.notebook, draft.id);
  }

  /**
   * Open the notebook of a `#code/` link. "problem": the link opens nothing (too
   * large, broken, or not a notebook); the page says so and opens nothing else.
   */
  async function loadFromHash(): Promise<"opened" | "problem" | "none"> {
    let source: string | null;
    try {
      source = sourceFromHash(location.hash, config.linkMaxLength);
    } catch (error) {
      if (!(error instanceof LinkProblem)) throw error;
      return showLinkProblem(error.message);
    }
    if (source === null) return "none";
    status.textContent = "Opening the shared notebook…";
    try {
      const file = await kernel.parse(source);
      loadedFromLink = true;
      await load(file, newDraftId());
      status.textContent = "";
      return "opened";
    } catch (error) {
      return showLinkProblem(
        `This link's notebook could not be opened (${error instanceof Error ? error.message : String(error)}), ` +
          "so nothing was opened. Ask whoever sent the link for a new one.",
      );
    }
  }

  function showLinkProblem(message: string): "problem" {
    status.textContent = "";
    linkProblem.textContent = message;
    linkProblem.hidden = false;
    // The hash opens nothing: the first saved draft drops it, as for a link that opened.
    loadedFromLink = true;
    return "problem";
  }

  /** The notebook's text: marimo's file format for `#code/` links, our own for the account. */
  async function shareSource(format: "marimo" | "ours"): Promise<string | null> {
    try {
      const file = notebook.toFile();
      return await kernel.serialize(format === "marimo" ? asMarimoFile(file) : file);
    } catch (error) {
      share.showError(`The notebook could not be turned into a link: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /** A fresh Python with the notebook as it is on screen; what was typed stays. */
  function restart(): void {
    if (server?.onServer) server.restart();
    else restartBrowser();
  }

  function restartBrowser(): void {
    const file = notebook.toFile();
    kernel.browser.restart();
    notebook.load(file);
    showLinks();
  }

  // -- layout -------------------------------------------------------------------
  const shortcuts = new ShortcutsDialog(root);
  const find = new FindPanel(() => notebook.cellViews);
  /** The text selected in the cell being edited, to search for. */
  const selectedText = (): string => {
    const view = notebook.selected?.editorView;
    if (!view) return "";
    const { from, to } = view.state.selection.main;
    return view.state.sliceDoc(from, to);
  };
  const kernelStatus = new KernelStatus(kernel);
  const share = new SharePanel();
  const status = document.createElement("p");
  status.className = "notebook-status muted";
  status.setAttribute("role", "status");
  const linkProblem = document.createElement("div");
  linkProblem.className = "link-problem";
  linkProblem.dataset.testid = "link-problem";
  linkProblem.setAttribute("role", "alert");
  linkProblem.hidden = true;

  if (readOnly) {
    const app = document.createElement("main");
    app.className = "app-view";
    app.dataset.testid = "app-view";
    const bar = document.createElement("div");
    bar.className = "app-bar";
    bar.append(kernelStatus.element, ...(config.site ? siteControls(config.site, true) : []));
    app.append(bar, status, linkProblem, notebook.element);
    root.append(app);
  } else {
    const toolbar = document.createElement("header");
    toolbar.className = "toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Notebook");
    if (!config.embed && !hosted) {
      const brand = document.createElement("strong");
      brand.className = "brand";
      brand.textContent = "Playground";
      toolbar.append(brand);
    }
    toolbar.append(
      kernelStatus.element,
      button("run-all", "Run all", "Run every cell", () => notebook.runAll()),
      button("interrupt", "Stop", "Interrupt the running cell", () => kernel.interrupt()),
      button("find-open", "Find", "Find and replace in every cell (Ctrl/Cmd-F)", () => find.open(selectedText())),
      ...(hosted ? [] : [themeButton()]),
      button("shortcuts-button", "?", "Keyboard shortcuts (?)", () => shortcuts.open()),
      button("restart", "Restart", "Start a fresh Python and run every cell again (for a cell that will not stop, or after a crash)", () => restart()),
    );
    if (server) toolbar.append(server.toolbar);
    // A bucket of the user's own, in the browser's Python (not in embeds: another site's page).
    const bucket = config.embed ? null : bucketControls(root, kernel);
    if (bucket) toolbar.append(bucket.button);
    if (config.site) toolbar.append(...siteControls(config.site, false));
    if (!config.embed && !hosted) {
      toolbar.append(
        button("save", "Save", "Save in this browser (Ctrl/Cmd-S)", () => notebook.save()),
        button("copy-link", "Copy link", "Copy a link to this notebook", async () => {
          const source = await shareSource("marimo");
          if (source !== null) await share.showLink(shareUrl(source));
        }),
        button("embed-snippet", "Embed", "Get HTML to embed this notebook in a page", async () => {
          const source = await shareSource("marimo");
          if (source !== null) await share.showEmbed(embedSnippet(source));
        }),
      );
      if (config.importUrl) {
        const target = config.importUrl;
        toolbar.append(
          button("save-to-account", "Save to account", "Save this notebook to your Playground account", async () => {
            const source = await shareSource("ours");
            if (source === null) return;
            // The draft's files go too: the app's page reads them from this browser (host/carry_files.ts).
            const withFiles = draftFolder ? (await draftFolder.count()) > 0 : false;
            const page = withFiles ? `${target}?draft=${encodeURIComponent(draftId)}` : target;
            window.open(importUrl(page, source), "_blank", "noopener");
          }),
        );
      }
      toolbar.append(saveState);
    }
    const main = document.createElement("main");
    main.className = "notebook";
    const addRow = document.createElement("div");
    addRow.className = "add-row";
    addRow.append(
      button("add-cell", "+ Code", "Add a code cell at the end", () => notebook.addCell("code")),
      button("add-markdown-cell", "+ Markdown", "Add a markdown cell at the end", () => notebook.addCell("markdown")),
    );
    main.append(find.element, status, ...(server ? [server.notice] : []), ...(bucket ? [bucket.notice] : []), linkProblem, notebook.undoNotice, notebook.element, addRow);
    const layout = document.createElement("div");
    layout.className = "layout";
    layout.append(main);
    if (!config.embed) {
      const side = document.createElement("aside");
      side.className = "sidebar";
      side.setAttribute("aria-label", "Notebook details");
      side.append(links.element, variables.element);
      if (files) side.append(filesElement);
      if (!hosted) side.append(drafts.element);
      layout.append(side);
    }
    root.append(toolbar, share.element, layout);
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        notebook.save();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "f" && root.contains(event.target as Node)) {
        event.preventDefault();
        find.open(selectedText());
        return;
      }
      // Outside an editor or a form field, Ctrl/Cmd-Z takes back the last change to the cells.
      const typing = (event.target as HTMLElement).closest?.(".cm-editor, input, textarea, select, [contenteditable=true]");
      if (typing) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "z" && notebook.canUndo) {
        event.preventDefault();
        notebook.undo();
      } else if (event.key === "?" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        shortcuts.open();
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (!dirty || hosted) return;
      // The draft write may not finish as the page goes: ask, so nothing typed is lost.
      void save();
      event.preventDefault();
      event.returnValue = "";
    });
  }

  kernel.subscribe({
    event: (event) => {
      if (event.type === "output" && !performance.getEntriesByName("playground-first-output").length) {
        performance.mark("playground-first-output");
      }
    },
    state: (state, detail) => {
      // A server kernel's end is told by its own notice, with what to do.
      if (state === "dead" && kernel.inBrowser) status.textContent = detail;
    },
  });
  void kernel.ready.then(() => performance.mark("playground-kernel-ready"), () => undefined);
  if (channel) {
    status.textContent = "Opening the notebook…";
    channel.announce();
    return;
  }
  window.addEventListener("hashchange", () => void loadFromHash());

  // -- the first notebook -----------------------------------------------------------
  const fromLink = await loadFromHash();
  if (fromLink === "opened") {
    // "Fork" on a shared page, for visitors without an account: keep it as a draft now.
    if (new URLSearchParams(location.search).get("fork") === "1" && !readOnly && !config.embed) {
      await save();
      saveState.textContent = "forked: saved in this browser";
    }
    return;
  }
  // A link that opens nothing leaves the page empty under its message, not showing a draft.
  if (fromLink === "problem") return;
  let draft: Draft | undefined;
  try {
    if (!config.embed) draft = await latestDraft();
  } catch (error) {
    console.warn("playground: local drafts are unavailable", error);
  }
  if (draft) await load(draft.notebook, draft.id);
  else await load(config.starter ?? EMPTY_NOTEBOOK, newDraftId());
}
