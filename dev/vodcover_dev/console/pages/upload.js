// Upload a video: POST /videos, then the presigned PUT straight to S3 with a progress bar,
// then follow the video until it is ready. An optional cover: a URL (given at creation) or a
// local image (PUT /videos/{id}/cover once the upload has landed).

import { ApiError, api, limits, putToPresignedUrl } from "../api.js";
import {
  announce,
  COVER_CHANGE_STATUSES,
  errorBox,
  FINAL_STATUSES,
  formatBytes,
  h,
  replaceChildren,
  setSlot,
  spinner,
  statusBadge,
  icon,
  toast,
  wireDrop,
} from "../dom.js";
import { checkCoverImage, coverRulesText } from "../images.js";
import { Poller } from "../poll.js";
import { parseTags } from "./video/details.js";

// Uploads outlive the page: they go on (and are shown again) when you come back to it.
const uploads = [];

window.addEventListener("beforeunload", (event) => {
  if (uploads.some((upload) => upload.sending)) {
    event.preventDefault();
    event.returnValue = "";
  }
});

export function renderUpload(main, { signal }) {
  let videoFile = null;
  let coverCheck = null; // {file, check}

  const heading = h("h1", { tabindex: "-1" }, "Upload a video");
  const videoInput = h("input", { type: "file", id: "video-file", accept: "video/*,.mp4,.mov,.mkv,.webm", class: "file-input" });
  const chosen = h("div", { class: "dropzone-chosen", "aria-live": "polite" });
  const drop = h(
    "div",
    { class: "dropzone" },
    videoInput,
    h(
      "label",
      { for: "video-file", class: "dropzone-label" },
      icon("upload", "dropzone-icon"),
      h("strong", {}, "Drop a video here"),
      h("span", {}, "or choose a file"),
    ),
    chosen,
  );
  const title = h("input", { id: "upload-title", required: true, maxlength: "128", autocomplete: "off" });
  const description = h("textarea", { id: "upload-description", rows: "2", maxlength: "2000" });
  const tags = h("input", { id: "upload-tags", autocomplete: "off", "aria-describedby": "upload-tags-hint" });

  const coverModes = ["auto", "file", "url"].map((mode) =>
    h("input", { type: "radio", name: "cover-mode", value: mode, id: `cover-mode-${mode}`, checked: mode === "auto" }),
  );
  const coverFile = h("input", { type: "file", id: "upload-cover-file", accept: "image/jpeg,image/png" });
  const coverFileLabel = h("label", { for: "upload-cover-file" }, "Cover image");
  const coverFileCheck = h("div", { class: "check-slot" });
  const coverUrl = h("input", {
    type: "url",
    id: "upload-cover-url",
    placeholder: "https://… or s3://bucket/key",
    autocomplete: "off",
  });
  const coverFileBox = h("div", { class: "cover-option", hidden: true }, coverFileLabel, coverFile, coverFileCheck);
  const coverUrlBox = h("div", { class: "cover-option", hidden: true }, h("label", { for: "upload-cover-url" }, "Cover image URL"), coverUrl);

  const submit = h("button", { type: "submit", class: "button button-primary" }, "Upload");
  const formError = h("div");
  const form = h(
    "form",
    { class: "form upload-form" },
    drop,
    h(
      "div",
      { class: "form-grid" },
      field("Title", title),
      field("Tags", tags, h("p", { class: "hint", id: "upload-tags-hint" }, "Separate tags with commas.")),
    ),
    field("Description", description),
    h(
      "fieldset",
      { class: "cover-choice" },
      h("legend", {}, "Cover"),
      h(
        "div",
        { class: "radio-row" },
        h("label", { class: "radio" }, coverModes[0], " Choose automatically"),
        h("label", { class: "radio" }, coverModes[1], " Upload an image"),
        h("label", { class: "radio" }, coverModes[2], " From a URL"),
      ),
      coverFileBox,
      coverUrlBox,
    ),
    h("div", { class: "panel-actions" }, submit),
    formError,
  );
  const list = h("ul", { class: "upload-list", "aria-label": "Uploads" });
  const listSection = h(
    "section",
    { class: "uploads", "aria-labelledby": "uploads-heading", hidden: uploads.length === 0 },
    h("h2", { id: "uploads-heading" }, "Uploads"),
    list,
  );

  main.append(
    h("div", { class: "page-head" }, h("div", {}, heading, h("p", { class: "page-subtitle" }, "Snapshots and a cover are made as soon as the upload lands."))),
    h("div", { class: "panel" }, form),
    listSection,
  );
  for (const upload of uploads) list.append(upload.element);

  videoInput.addEventListener("change", () => videoInput.files[0] && takeVideo(videoInput.files[0]));
  wireDrop(drop, (file) => takeVideo(file));
  for (const radio of coverModes) radio.addEventListener("change", () => showCoverMode());
  coverFile.addEventListener("change", () => coverFile.files[0] && takeCover(coverFile.files[0]));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setSlot(formError, null);
    const problem = validate();
    if (problem) {
      setSlot(formError, errorBox(problem, "Not yet"));
      return;
    }
    const mode = coverModes.find((radio) => radio.checked).value;
    const request = {
      title: title.value.trim(),
      fileName: videoFile.name,
      fileSize: videoFile.size,
      description: description.value,
      tags: parseTags(tags.value),
    };
    if (mode === "url") request.coverUrl = coverUrl.value.trim();
    submit.disabled = true;
    try {
      const ticket = await api.createUpload(request);
      const upload = new Upload(ticket, videoFile, request.title, mode === "file" ? coverCheck : null);
      uploads.unshift(upload);
      listSection.hidden = false;
      list.prepend(upload.element);
      upload.start();
      resetForm();
      announce(`Uploading ${request.title}.`);
    } catch (error) {
      setSlot(formError, errorBox(error, "The upload could not start"));
    } finally {
      submit.disabled = false;
    }
  });

  function takeVideo(file) {
    videoFile = file;
    replaceChildren(chosen, h("span", { class: "file-name" }, file.name), h("span", { class: "hint" }, ` ${formatBytes(file.size)}`));
    drop.classList.add("has-file");
    if (!title.value.trim()) title.value = file.name.replace(/\.[^.]+$/, "").replace(/[_-]+/g, " ").trim().slice(0, 128);
    if (file.type && !file.type.startsWith("video/")) {
      setSlot(formError, errorBox({ code: "InvalidVideo.Type", message: `${file.name} does not look like a video (${file.type}).` }, "Check the file"));
    } else {
      setSlot(formError, null);
    }
  }

  function showCoverMode() {
    const mode = coverModes.find((radio) => radio.checked).value;
    coverFileBox.hidden = mode !== "file";
    coverUrlBox.hidden = mode !== "url";
  }

  limits()
    .then((known) => !signal.aborted && (coverFileLabel.textContent = `Cover image (${coverRulesText(known)})`))
    .catch(() => {}); // the check of a chosen file reports the failure

  async function takeCover(file) {
    let check;
    try {
      check = await checkCoverImage(file, await limits());
    } catch (error) {
      coverCheck = null;
      if (!signal.aborted) setSlot(coverFileCheck, errorBox(error, "The cover limits could not be read"));
      return;
    }
    if (signal.aborted) return;
    coverCheck = { file, check };
    setSlot(
      coverFileCheck,
      check.ok
        ? h("p", { class: "hint ok" }, `✓ ${check.type.toUpperCase()} · ${formatBytes(file.size)}${check.width ? ` · ${check.width}×${check.height}` : ""}`)
        : h(
            "ul",
            { class: "problems", role: "alert" },
            check.problems.map((p) => h("li", { dataset: { code: p.code } }, h("code", { class: "error-code" }, p.code), " ", p.message)),
          ),
    );
  }

  function validate() {
    if (!videoFile) return { code: "InvalidParameter.File", message: "Choose a video file first." };
    if (!title.value.trim()) return { code: "InvalidParameter.Title", message: "Give the video a title." };
    const mode = coverModes.find((radio) => radio.checked).value;
    if (mode === "file" && !coverCheck) return { code: "InvalidParameter.Cover", message: "Choose a cover image, or pick another cover option." };
    if (mode === "file" && !coverCheck.check.ok) return coverCheck.check.problems[0];
    if (mode === "url" && !/^(https?|s3):\/\/\S+$/.test(coverUrl.value.trim())) {
      return { code: "InvalidParameter.CoverUrl", message: "A cover URL starts with https:// (or s3:// for the media bucket)." };
    }
    return null;
  }

  function resetForm() {
    form.reset();
    coverModes[0].checked = true;
    videoFile = null;
    coverCheck = null;
    chosen.replaceChildren();
    coverFileCheck.replaceChildren();
    drop.classList.remove("has-file");
    showCoverMode();
  }

  return () => {};
}

function field(labelText, control, ...extra) {
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control, extra);
}

/** One upload: the PUT to S3, then following the video until it is final. */
class Upload {
  constructor(ticket, file, title, coverCheck) {
    this.videoId = ticket.videoId;
    this.ticket = ticket;
    this.file = file;
    this.title = title;
    this.cover = coverCheck; // {file, check} or null
    this.coverSent = false;
    this.sending = false;
    this.progress = h("progress", { max: 100, value: 0, "aria-label": `Upload progress of ${title}` });
    this.percent = h("span", { class: "upload-percent" }, "0%");
    this.status = h("span", { class: "upload-status" });
    this.detail = h("div", { class: "upload-detail" });
    this.link = h("a", { href: `#/videos/${encodeURIComponent(this.videoId)}`, class: "upload-title" }, title);
    this.element = h(
      "li",
      { class: "upload-item", dataset: { videoId: this.videoId } },
      h("div", { class: "upload-row" }, this.link, this.status),
      h("div", { class: "upload-progress" }, this.progress, this.percent),
      this.detail,
    );
    this.poller = new Poller(() => this.follow(), { first: 800, max: 8000 });
  }

  async start() {
    this.sending = true;
    this.setStatus(h("span", { class: "badge badge-info" }, "Uploading"));
    let last = 0;
    const { promise } = putToPresignedUrl(this.ticket.upload, this.file, (loaded, total) => {
      const percent = Math.floor((loaded / total) * 100);
      this.progress.value = percent;
      this.progress.setAttribute("aria-valuetext", `${percent}% of ${formatBytes(total)}`);
      this.percent.textContent = `${percent}%`;
      if (percent >= last + 25 || percent === 100) {
        last = percent;
        announce(`${this.title}: ${percent}% uploaded.`);
      }
    });
    try {
      await promise;
    } catch (error) {
      this.sending = false;
      this.setStatus(h("span", { class: "badge badge-bad" }, "Upload failed"));
      setSlot(this.detail, errorBox(error, "The file could not be uploaded"));
      return;
    }
    this.sending = false;
    this.progress.value = 100;
    this.percent.textContent = "100%";
    this.setStatus([spinner("Processing"), h("span", { class: "badge badge-busy" }, "Processing")]);
    this.poller.start();
  }

  async follow() {
    const video = await api.getVideo(this.videoId);
    this.setStatus([FINAL_STATUSES.has(video.status) ? null : spinner("Processing"), statusBadge(video.status)]);
    this.element.dataset.status = video.status;
    if (this.cover && !this.coverSent && COVER_CHANGE_STATUSES.has(video.status)) {
      this.coverSent = true;
      try {
        await api.uploadCover(this.videoId, this.cover.file, this.cover.check.contentType);
        setSlot(this.detail, h("p", { class: "hint ok" }, `✓ Cover image ${this.cover.file.name} applied.`));
      } catch (error) {
        setSlot(this.detail, errorBox(error, "The cover image was refused"));
      }
    }
    if (video.status === "Normal") {
      toast(`${this.title} is ready.`);
      announce(`${this.title} is ready.`);
      this.detail.append(h("p", {}, h("a", { href: `#/videos/${encodeURIComponent(this.videoId)}` }, "Open the video →")));
      return "done";
    }
    if (video.status === "UploadFail" || video.status === "ProcessFail") {
      setSlot(this.detail, errorBox(video.error ?? new ApiError(0, video.status, "Processing failed."), "The video could not be processed"));
      return "done";
    }
    return "same";
  }

  setStatus(content) {
    replaceChildren(this.status, content);
  }
}
