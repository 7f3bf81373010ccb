// Small DOM and formatting helpers. Text always goes in as text nodes, never as HTML.

/** h("button", {class: "primary", onclick: fn}, "Save") → an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

// --- formatting ---------------------------------------------------------------------------
export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) return "";
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatTime(seconds) {
  // Snapshot times: tenths matter for short clips.
  const whole = Math.floor(seconds);
  const tenths = Math.round((seconds - whole) * 10) % 10;
  return `${formatDuration(whole)}.${tenths}`;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.valueOf()) ? iso : dateFormat.format(date);
}

/** A presigned URL without its signature: the same object keeps the same identity. */
export function objectPath(url) {
  if (!url) return "";
  try {
    const parsed = new URL(url);
    return parsed.origin + parsed.pathname;
  } catch {
    return url;
  }
}

// --- statuses and sources --------------------------------------------------------------------
export const FINAL_STATUSES = new Set(["Normal", "UploadFail", "ProcessFail"]);
export const COVER_CHANGE_STATUSES = new Set(["UploadSucc", "Processing", "Normal"]);

const STATUS_LABELS = {
  Uploading: "Uploading",
  UploadSucc: "Uploaded",
  Processing: "Processing",
  Normal: "Ready",
  UploadFail: "Upload failed",
  ProcessFail: "Processing failed",
};
const STATUS_TONES = {
  Uploading: "info",
  UploadSucc: "info",
  Processing: "busy",
  Normal: "ok",
  UploadFail: "bad",
  ProcessFail: "bad",
};

// Failures that deserve their own words: they are not the video's fault.
const ERROR_LABELS = {
  "Upload.Expired": "Upload expired",
  "Process.Stalled": "Processing stalled",
};

/** The status as a badge; `error` (the video's, when it failed) names an expired upload as such. */
export function statusBadge(status, error = null) {
  const failed = status === "UploadFail" || status === "ProcessFail";
  const label = (failed && ERROR_LABELS[error?.code]) || STATUS_LABELS[status] || status;
  return h(
    "span",
    {
      class: `badge badge-${STATUS_TONES[status] ?? "info"}`,
      title: failed && error ? `Status: ${status} (${error.code})` : `Status: ${status}`,
      dataset: failed && error ? { status, code: error.code } : { status },
    },
    label,
  );
}

/** Why a failed video failed, for a card or a row: the stable code and the message; null otherwise. */
export function failureReason(video) {
  if (!(video.status === "UploadFail" || video.status === "ProcessFail")) return null;
  const error = video.error ?? { code: video.status, message: "No reason was recorded." };
  return h("p", { class: "failure-reason", dataset: { code: error.code } }, h("code", { class: "error-code" }, error.code), " ", error.message);
}

/** Whether the record will change by itself: the video, or a job on it, is still at work. */
export function needsPolling(video) {
  return (
    !FINAL_STATUSES.has(video.status) ||
    [video.smartCover, video.snapshotJob, video.storyboard].some((job) => job?.status === "Processing")
  );
}

export const COVER_SOURCES = {
  upload: "Chosen at upload",
  user: "Chosen by you",
  snapshot: "Automatic snapshot",
  smart: "Smart cover",
};

// --- messages ---------------------------------------------------------------------------------
let announcer;
/** Tell screen readers (and the status line) what just happened. */
export function announce(message) {
  announcer ??= document.getElementById("announcer");
  announcer.textContent = "";
  // A fresh text node after a tick is re-read even when the text repeats.
  setTimeout(() => {
    announcer.textContent = message;
  }, 30);
}

export function toast(message, tone = "ok") {
  const region = document.getElementById("toasts");
  const item = h("div", { class: `toast toast-${tone}` }, message);
  region.append(item);
  setTimeout(() => item.classList.add("toast-leaving"), 3500);
  setTimeout(() => item.remove(), 4000);
}

/** An inline error: code and message, plainly; role=alert so it is read at once. */
export function errorBox(error, context) {
  const code = error?.code ?? "Console.Error";
  const message = error?.message ?? String(error);
  return h(
    "div",
    { class: "alert alert-error", role: "alert", dataset: { code } },
    h("strong", { class: "alert-title" }, context ?? "That did not work"),
    h("p", {}, h("code", { class: "error-code" }, code), " ", message),
  );
}

export function notice(text, tone = "info") {
  return h("div", { class: `alert alert-${tone}` }, text);
}

/** Show `content` (or nothing) in `slot`. */
export function setSlot(slot, content) {
  replaceChildren(slot, content ?? []);
}

export function spinner(label) {
  return h("span", { class: "spinner", role: "img", "aria-label": label ?? "Working" });
}

/** Disable a button while `work` runs; returns work's result. */
export async function busy(button, work, label) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (label) button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = original;
  }
}

/** Files dropped on `zone` go to `onFile`; the zone lights up while something is dragged over. */
export function wireDrop(zone, onFile) {
  let depth = 0;
  zone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth += 1;
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragover", (event) => event.preventDefault());
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove("dragging");
    const file = event.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
}

// Icons: fixed markup of our own (never data), drawn with the current text colour.
const ICONS = {
  upload:
    '<path d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5" /><path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />',
  search: '<circle cx="11" cy="11" r="6.5" /><path d="m16 16 4.5 4.5" />',
};

export function icon(name, className) {
  const template = document.createElement("template");
  template.innerHTML =
    `<svg class="icon ${className ?? ""}" viewBox="0 0 24 24" fill="none" stroke="currentColor" ` +
    `stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">` +
    `${ICONS[name]}</svg>`;
  return template.content.firstElementChild;
}
