// Upload a cover image: checked in the browser against the API's limits (GET /limits), judged by
// the server (PUT /videos/{videoId}/cover).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api, limits } from "../../api.js";
import {
  announce,
  errorBox,
  formatBytes,
  h,
  setSlot,
  wireDrop,
} from "../../dom.js";
import { checkCoverImage, coverRulesText } from "../../images.js";

export function coverUploadSection(page) {
  const input = h("input", { type: "file", id: "cover-file", accept: "image/jpeg,image/png", class: "file-input" });
  const checkSlot = h("div", { class: "check-slot" });
  const result = h("div");
  const send = h("button", { type: "button", class: "button button-primary", disabled: true, onclick: () => uploadChecked() }, "Upload as cover");
  const statusNote = h("p", { class: "hint" });
  const rules = h("p", { class: "hint", id: "cover-rules" }, "JPG or PNG.");
  const drop = h(
    "div",
    { class: "dropzone dropzone-small" },
    input,
    h("label", { for: "cover-file", class: "dropzone-label" }, h("strong", {}, "Choose an image"), " or drop it here"),
  );
  const element = h(
    "section",
    { class: "panel section-upload", "aria-labelledby": "upload-cover-heading" },
    h("h2", { id: "upload-cover-heading" }, "Upload a cover image"),
    rules,
    drop,
    checkSlot,
    h("div", { class: "panel-actions" }, send, statusNote),
    result,
  );
  input.setAttribute("aria-describedby", "cover-rules");
  limits()
    .then((known) => !page.signal.aborted && (rules.textContent = coverRulesText(known)))
    .catch(() => {}); // choosing a file reports the failure
  let checked = null; // {file, check}
  let previewUrl = null;
  page.signal.addEventListener("abort", () => previewUrl && URL.revokeObjectURL(previewUrl));

  input.addEventListener("change", () => input.files[0] && take(input.files[0]));
  wireDrop(drop, (file) => take(file));

  async function take(file) {
    setSlot(result, null);
    let check;
    try {
      check = await checkCoverImage(file, await limits());
    } catch (error) {
      checked = null;
      if (!page.signal.aborted) setSlot(checkSlot, errorBox(error, "The cover limits could not be read"));
      return refresh();
    }
    if (page.signal.aborted) return;
    checked = { file, check };
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = check.decoded ? URL.createObjectURL(file) : null;
    const facts = [
      check.type ? check.type.toUpperCase() : "unknown type",
      formatBytes(file.size),
      check.width ? `${check.width}×${check.height}` : null,
    ].filter(Boolean);
    setSlot(
      checkSlot,
      h(
        "div",
        { class: `file-check ${check.ok ? "file-ok" : "file-bad"}` },
        previewUrl ? h("img", { src: previewUrl, alt: "Preview of the chosen image" }) : null,
        h(
          "div",
          {},
          h("p", { class: "file-name" }, file.name),
          h("p", { class: "hint" }, facts.join(" · ")),
          check.ok && !check.decoded
            ? h("p", { class: "hint warn" }, "This browser cannot preview the image; the server will check it.")
            : null,
          check.problems.length
            ? h(
                "ul",
                { class: "problems", role: "alert", "aria-label": "Problems with this image" },
                check.problems.map((p) => h("li", { dataset: { code: p.code } }, h("code", { class: "error-code" }, p.code), " ", p.message)),
              )
            : null,
        ),
      ),
    );
    refresh();
    announce(check.ok ? `${file.name} is ready to upload.` : `${file.name} cannot be a cover: ${check.problems[0].message}`);
  }

  function refresh() {
    send.disabled = !(checked?.check.ok && page.canChangeCover());
    statusNote.textContent = page.video && !page.canChangeCover() ? "Covers can be changed once the upload has finished." : "";
  }

  function uploadChecked() {
    const { file, check } = checked;
    page.changeCover(send, result, () => api.uploadCover(page.videoId, file, check.contentType), `Cover replaced by ${file.name}.`);
  }

  return { element, update: () => refresh() };
}
