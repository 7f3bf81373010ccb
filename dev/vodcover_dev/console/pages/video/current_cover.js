// The current cover, re-rendered only when the cover itself changed: srcset from its renditions,
// the inline placeholder while it loads, and the embed URL to copy (docs/embedding.md).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import {
  COVER_SOURCES,
  formatDate,
  h,
  needsPolling,
  objectPath,
  replaceChildren,
} from "../../dom.js";
import { coverImageAttributes, coverSources } from "../../images.js";

export function coverSection(page) {
  const content = h("div");
  const element = h(
    "section",
    { class: "panel section-cover", "aria-labelledby": "cover-heading" },
    h("h2", { id: "cover-heading" }, "Current cover"),
    content,
  );
  let shownKey;

  function update(fresh) {
    const key = fresh.cover ? objectPath(fresh.cover.url) + fresh.cover.updatedAt : `none:${fresh.status}`;
    if (key === shownKey) return;
    shownKey = key;
    if (!fresh.cover) {
      replaceChildren(
        content,
        h(
          "div",
          { class: "cover-empty" },
          needsPolling(fresh) ? "A cover is chosen automatically when processing finishes." : "This video has no cover.",
        ),
      );
      return;
    }
    const c = fresh.cover;
    const sizes = "(max-width: 900px) 100vw, 360px";
    const image = h("img", { ...coverImageAttributes(c, sizes), id: "current-cover", alt: `Current cover of “${fresh.title}”` });
    Object.assign(image.dataset, { source: c.source, key: objectPath(c.url) });
    replaceChildren(
      content,
      h(
        "figure",
        { class: "cover-figure" },
        h("picture", {}, coverSources(h, c, sizes), image),
        h(
          "figcaption",
          {},
          h("span", { class: `source source-${c.source}`, dataset: { source: c.source } }, COVER_SOURCES[c.source] ?? c.source),
          h("span", { class: "cover-facts" }, `${c.width}×${c.height} · ${formatDate(c.updatedAt)}`),
        ),
      ),
      c.embedUrl ? embedRow(c.embedUrl) : null,
    );
  }

  /** The URL that always shows the current cover, to paste into pages and og:image. */
  function embedRow(embedUrl) {
    const field = h("input", { type: "text", id: "embed-url", class: "embed-url", readonly: true, value: embedUrl, "aria-label": "Embed URL" });
    const copied = h("span", { class: "hint", role: "status" });
    const copy = async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(embedUrl);
        copied.textContent = "Copied.";
      } catch {
        copied.textContent = "Selected: press Ctrl+C to copy.";
      }
    };
    return h(
      "div",
      { class: "embed-row" },
      field,
      h("button", { type: "button", class: "button", id: "copy-embed-url", onclick: copy }, "Copy embed URL"),
      copied,
    );
  }

  return { element, update };
}
