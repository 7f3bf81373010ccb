// The snapshots: pick one, set it as the cover (coverSnapshot).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import {
  formatTime,
  h,
  needsPolling,
  objectPath,
  replaceChildren,
  spinner,
} from "../../dom.js";
import { frameStrip } from "./frame_strip.js";

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
  let strip = null;
  let setButton = null;

  function update(fresh) {
    const coverPath = fresh.cover ? objectPath(fresh.cover.url) : null;
    const key = fresh.snapshots.map((s) => objectPath(s.url)).join("|") + `#${coverPath}#${fresh.status}`;
    if (key === shownKey) return refresh();
    shownKey = key;
    const previous = strip?.selected()?.index;
    if (fresh.snapshots.length === 0) {
      strip = null;
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
    strip = frameStrip({
      name: "snapshot",
      kind: "Snapshot",
      legend: "Snapshots",
      items: fresh.snapshots,
      describe: (s) => `#${s.index} · ${formatTime(s.time)}`, // the API's index: coverSnapshot
      current: (s) => objectPath(s.url) === coverPath,
    });
    setButton = h("button", { type: "button", class: "button button-primary", onclick: () => setSnapshot() }, "Set as cover");
    strip.onChange(() => refresh());
    replaceChildren(content, strip.fieldset, h("div", { class: "panel-actions" }, setButton));
    if (previous !== undefined) strip.select(previous);
    refresh();
  }

  function refresh() {
    if (setButton) setButton.disabled = !(strip?.selected() && page.canChangeCover());
  }

  function setSnapshot() {
    const snapshot = strip.selected();
    page.changeCover(
      setButton,
      result,
      () => api.updateVideo(page.videoId, { coverSnapshot: snapshot.index }),
      `Cover set to snapshot #${snapshot.index} (${formatTime(snapshot.time)}).`,
    );
  }

  return { element, update };
}
