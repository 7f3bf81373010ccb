// Title, description and tags (PATCH /videos/{videoId}).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import {
  announce,
  busy,
  errorBox,
  h,
  notice,
  setSlot,
  toast,
} from "../../dom.js";

export function detailsSection(page) {
  const title = h("input", { id: "video-title", name: "title", required: true, maxlength: "128", autocomplete: "off" });
  const description = h("textarea", { id: "video-description", name: "description", rows: "3", maxlength: "2000" });
  const tags = h("input", { id: "video-tags", name: "tags", autocomplete: "off", "aria-describedby": "tags-hint" });
  const save = h("button", { type: "submit", class: "button button-primary" }, "Save details");
  const result = h("div");
  const form = h(
    "form",
    { class: "form" },
    field("Title", title),
    field("Description", description),
    field("Tags", tags, h("p", { class: "hint", id: "tags-hint" }, "Separate tags with commas; up to 20.")),
    h("div", { class: "panel-actions" }, save),
    result,
  );
  const element = h(
    "section",
    { class: "panel section-details", "aria-labelledby": "details-heading" },
    h("h2", { id: "details-heading" }, "Details"),
    form,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setSlot(result, null);
    const changes = {};
    const newTitle = title.value.trim();
    const newTags = parseTags(tags.value);
    if (newTitle !== page.video.title) changes.title = newTitle;
    if (description.value !== page.video.description) changes.description = description.value;
    if (newTags.join("\n") !== page.video.tags.join("\n")) changes.tags = newTags;
    if (Object.keys(changes).length === 0) {
      setSlot(result, notice("Nothing changed."));
      return;
    }
    try {
      const fresh = await busy(save, () => api.updateVideo(page.videoId, changes), "Saving…");
      if (page.signal.aborted) return;
      page.apply(fresh);
      fill(fresh);
      toast("Details saved.");
      announce("Details saved.");
    } catch (error) {
      setSlot(result, errorBox(error, "The details were not saved"));
    }
  });

  function fill(fresh) {
    title.value = fresh.title;
    description.value = fresh.description;
    tags.value = fresh.tags.join(", ");
  }

  return { element, fill };
}

function field(labelText, control, ...extra) {
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control, extra);
}

/** Tags typed as "a, b, a": trimmed, empty ones and repeats dropped (the upload page too). */
export function parseTags(text) {
  return [...new Set(text.split(",").map((tag) => tag.trim()).filter(Boolean))];
}
