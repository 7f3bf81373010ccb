// The cover history (GET /videos/{id}/covers): the last 20 covers, newest first, each with who
// chose it and when; "Restore" makes an earlier one the cover again (PATCH {coverHistory}).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import { COVER_SOURCES, errorBox, formatDate, h, objectPath, replaceChildren } from "../../dom.js";

export function coverHistorySection(page) {
  const content = h("div");
  const result = h("div");
  const element = h(
    "section",
    { class: "panel section-cover-history", "aria-labelledby": "cover-history-heading" },
    h("div", { class: "panel-head" }, h("h2", { id: "cover-history-heading" }, "Cover history"), h("p", { class: "hint" }, "The last 20 covers, newest first. Restore one to make it the cover again.")),
    content,
    result,
  );
  let shownKey;

  /** Read the history again whenever the cover itself changed (or the status allows more). */
  function update(fresh) {
    const key = fresh.cover ? `${objectPath(fresh.cover.url)}#${fresh.cover.updatedAt}#${fresh.status}` : `none:${fresh.status}`;
    if (key === shownKey) return;
    shownKey = key;
    api
      .getCoverHistory(page.videoId)
      .then((history) => {
        if (!page.signal.aborted) show(history);
      })
      .catch((error) => {
        if (!page.signal.aborted) replaceChildren(content, errorBox(error, "The cover history could not be read"));
      });
  }

  function show(history) {
    if (history.covers.length === 0) {
      replaceChildren(content, h("p", { class: "empty-inline" }, "No cover yet."));
      return;
    }
    const items = history.covers.map((entry) => {
      const current = entry.index === history.current;
      const restore = current
        ? h("span", { class: "badge", dataset: { current: "true" } }, "Current")
        : h(
            "button",
            {
              type: "button",
              class: "button restore-cover",
              dataset: { index: String(entry.index) },
              disabled: !page.canChangeCover(),
              onclick: (event) => restoreEntry(event.currentTarget, entry),
            },
            "Restore",
          );
      return h(
        "li",
        { class: "history-entry", dataset: { index: String(entry.index), source: entry.source } },
        h("img", { src: entry.url, alt: `Cover #${entry.index}`, width: 96, loading: "lazy" }),
        h(
          "span",
          { class: "history-facts" },
          h("span", { class: `source source-${entry.source}` }, COVER_SOURCES[entry.source] ?? entry.source),
          ` ${entry.width}×${entry.height} · ${formatDate(entry.setAt)}`,
          entry.setBy ? ` · ${entry.setBy}` : "",
        ),
        restore,
      );
    });
    replaceChildren(content, h("ol", { class: "cover-history", id: "cover-history" }, ...items));
  }

  function restoreEntry(button, entry) {
    page.changeCover(
      button,
      result,
      () => api.updateVideo(page.videoId, { coverHistory: entry.index }),
      `Cover #${entry.index} restored.`,
    );
  }

  return { element, update };
}
