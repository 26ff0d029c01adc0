// "Bucket" in the playground's toolbar (/play and the framed playground of the
// editor): a dialog to mount a bucket of the user's own at a folder of Python's
// (bucket_link.ts), remember its settings in this browser or forget them, and a
// notice under the toolbar that says what the mount did (mounted, saved, failed).

import { actionButton as button } from "../buttons";
import type { BucketLink, BucketNoticeLevel } from "./bucket_link";
import { type BucketSettings, DEFAULT_MOUNT_PATH, canRemember, checkSettings, forgetSettings, rememberSettings, rememberedSettings } from "./settings";

interface Field {
  key: keyof BucketSettings;
  label: string;
  testId: string;
  type: "text" | "password" | "url";
  placeholder: string;
}

const FIELDS: Field[] = [
  { key: "endpoint", label: "Endpoint", testId: "bucket-endpoint", type: "url", placeholder: "https://s3.eu-west-1.amazonaws.com" },
  { key: "region", label: "Region", testId: "bucket-region", type: "text", placeholder: "us-east-1" },
  { key: "bucket", label: "Bucket", testId: "bucket-name", type: "text", placeholder: "my-data" },
  { key: "prefix", label: "Prefix (optional)", testId: "bucket-prefix", type: "text", placeholder: "datasets/" },
  { key: "accessKeyId", label: "Access key id", testId: "bucket-access-key", type: "text", placeholder: "AKIA…" },
  { key: "secretAccessKey", label: "Secret access key", testId: "bucket-secret", type: "password", placeholder: "" },
  { key: "sessionToken", label: "Session token (temporary keys only)", testId: "bucket-session-token", type: "password", placeholder: "" },
  { key: "mountPath", label: "Mount at", testId: "bucket-mount-path", type: "text", placeholder: DEFAULT_MOUNT_PATH },
];

export class BucketDialog {
  /** The toolbar's button: "Bucket", or the mounted path. */
  readonly button: HTMLButtonElement;
  /** Under the toolbar: the last thing the mount did. */
  readonly notice = document.createElement("div");
  private readonly dialog = document.createElement("dialog");
  private readonly inputs = new Map<keyof BucketSettings, HTMLInputElement>();
  private readonly remember = document.createElement("input");
  private readonly status = document.createElement("p");
  private readonly unmountButton: HTMLButtonElement;

  constructor(parent: HTMLElement, private readonly link: BucketLink) {
    this.button = button("bucket-open", "Bucket", "Mount a bucket of your own (S3-compatible) as a folder of Python's", () => this.open());
    this.notice.className = "bucket-notice";
    this.notice.dataset.testid = "bucket-notice";
    this.notice.setAttribute("role", "status");
    this.notice.hidden = true;

    this.dialog.className = "bucket-dialog";
    this.dialog.dataset.testid = "bucket-dialog";
    this.dialog.setAttribute("aria-label", "Mount a bucket");
    const title = document.createElement("h2");
    title.textContent = "Mount a bucket";
    const about = document.createElement("p");
    about.className = "muted";
    about.textContent =
      "Python sees the bucket's objects as files (os.listdir, open). This page signs every request to the bucket " +
      "itself: the keys stay in this browser and are never sent to Playground. What Python writes or deletes there " +
      "is saved to the bucket after each run. Any notebook you run in this page while the bucket is mounted can read " +
      "and change it. The bucket needs a CORS rule for this site (see the docs). For a public bucket, leave the keys " +
      "empty: it is read without signing, and nothing is written back.";
    const form = document.createElement("form");
    form.method = "dialog";
    const grid = document.createElement("div");
    grid.className = "bucket-fields";
    for (const field of FIELDS) {
      const label = document.createElement("label");
      label.textContent = field.label;
      const input = document.createElement("input");
      input.type = field.type;
      input.name = field.key;
      input.placeholder = field.placeholder;
      input.dataset.testid = field.testId;
      input.autocomplete = "off";
      input.spellcheck = false;
      label.append(input);
      grid.append(label);
      this.inputs.set(field.key, input);
    }
    const rememberLabel = document.createElement("label");
    rememberLabel.className = "bucket-remember";
    this.remember.type = "checkbox";
    this.remember.dataset.testid = "bucket-remember";
    if (canRemember()) {
      rememberLabel.append(this.remember, " Remember in this browser (never mounted without a click)");
    } else {
      this.remember.disabled = true;
      rememberLabel.append(this.remember, " Remember: not possible here (this browser keeps no data for the playground inside another site's page)");
    }
    this.status.className = "bucket-status";
    this.status.dataset.testid = "bucket-status";
    this.status.setAttribute("role", "status");

    const mountButton = button("bucket-mount", "Mount", "List the bucket and mount it", () => void this.mount());
    this.unmountButton = button("bucket-unmount", "Unmount", "Take the bucket's folder out of Python", () => link.unmount());
    this.unmountButton.disabled = true;
    const forgetButton = button("bucket-forget", "Forget", "Unmount, and remove the keys and settings from this browser", () => this.forget());
    const closeButton = button("bucket-close", "Close", "Close this dialog", () => this.dialog.close());
    const actions = document.createElement("div");
    actions.className = "bucket-actions";
    actions.append(mountButton, this.unmountButton, forgetButton, closeButton);
    form.append(grid, rememberLabel, actions, this.status);
    // Enter in a field mounts; the form itself never submits anywhere.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.mount();
    });
    this.dialog.append(title, about, form);
    parent.append(this.dialog);
    this.fill(rememberedSettings());
  }

  /** What the link says, in the dialog and under the toolbar. */
  show(text: string, level: BucketNoticeLevel): void {
    this.status.textContent = text;
    this.status.dataset.level = level;
    this.notice.textContent = text;
    this.notice.dataset.level = level;
    this.notice.hidden = false;
  }

  /** The mount changed: the toolbar's button says where it is. */
  mounted(root: string | null): void {
    this.button.textContent = root === null ? "Bucket" : `Bucket: ${root}`;
    this.button.dataset.mounted = root === null ? "false" : "true";
    this.unmountButton.disabled = root === null;
  }

  open(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  private fill(settings: BucketSettings | null): void {
    for (const field of FIELDS) {
      const input = this.inputs.get(field.key)!;
      input.value = settings?.[field.key] ?? (field.key === "mountPath" ? DEFAULT_MOUNT_PATH : field.key === "region" ? "us-east-1" : "");
    }
    this.remember.checked = settings !== null;
  }

  private async mount(): Promise<void> {
    const raw = Object.fromEntries(FIELDS.map((field) => [field.key, this.inputs.get(field.key)!.value])) as unknown as BucketSettings;
    const checked = checkSettings(raw);
    if ("problem" in checked) {
      this.show(checked.problem, "error");
      return;
    }
    try {
      if (this.remember.checked && !this.remember.disabled) rememberSettings(checked.settings);
      else if (!this.remember.disabled) forgetSettings();
    } catch (error) {
      console.warn("playground: the bucket's settings could not be kept in this browser", error);
    }
    await this.link.mount(checked.settings);
  }

  private forget(): void {
    this.link.unmount();
    try {
      forgetSettings();
    } catch {
      // nothing could be kept here either
    }
    this.fill(null);
    this.show("Forgot the bucket: its keys and settings are no longer in this browser.", "info");
  }
}
