// The current cover, re-rendered only when the cover itself changed.
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
    replaceChildren(
      content,
      h(
        "figure",
        { class: "cover-figure" },
        h("img", {
          id: "current-cover",
          src: c.url,
          alt: `Current cover of “${fresh.title}”`,
          dataset: { source: c.source, key: objectPath(c.url) },
        }),
        h(
          "figcaption",
          {},
          h("span", { class: `source source-${c.source}`, dataset: { source: c.source } }, COVER_SOURCES[c.source] ?? c.source),
          h("span", { class: "cover-facts" }, `${c.width}×${c.height} · ${formatDate(c.updatedAt)}`),
        ),
      ),
    );
  }

  return { element, update };
}
