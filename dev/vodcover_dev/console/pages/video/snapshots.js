// The snapshots: pick one, set it as the cover (coverSnapshot).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { formatTime, h, needsPolling, objectPath, replaceChildren, spinner } from "../../dom.js";
import { coverPicker } from "./frame_strip.js";

export function snapshotsSection(page) {
  const content = h("div");
  const result = h("div");
  const element = h(
    "section",
    { class: "panel section-snapshots", "aria-labelledby": "snapshots-heading" },
    h("div", { class: "panel-head" }, h("h2", { id: "snapshots-heading" }, "Snapshots"), h("p", { class: "hint" }, "Pick one, then set it as the cover. Arrow keys move between them.")),
    content,
    result,
  );
  let shownKey;
  let picker = null;

  function update(fresh) {
    const coverPath = fresh.cover ? objectPath(fresh.cover.url) : null;
    const key = fresh.snapshots.map((s) => objectPath(s.url)).join("|") + `#${coverPath}#${fresh.status}`;
    if (key === shownKey) return picker?.refresh();
    shownKey = key;
    const previous = picker?.strip.selected()?.index;
    if (fresh.snapshots.length === 0) {
      picker = null;
      replaceChildren(
        content,
        h(
          "p",
          { class: "empty-inline" },
          needsPolling(fresh) ? [spinner("Processing"), " Snapshots appear here when processing finishes."] : "No snapshots.",
        ),
      );
      return;
    }
    picker = coverPicker(page, result, {
      field: "coverSnapshot", // the API's index
      message: (s) => `Cover set to snapshot #${s.index} (${formatTime(s.time)}).`,
      name: "snapshot",
      kind: "Snapshot",
      legend: "Snapshots",
      items: fresh.snapshots,
      describe: (s) => `#${s.index} · ${formatTime(s.time)}`,
      current: (s) => objectPath(s.url) === coverPath,
    });
    replaceChildren(content, picker.strip.fieldset, picker.actions);
    if (previous !== undefined) picker.strip.select(previous);
    picker.refresh();
  }

  return { element, update };
}
