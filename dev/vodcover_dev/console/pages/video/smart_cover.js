// Smart cover: start the analysis, then pick a ranked candidate (coverCandidate); the animated cover.
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import { errorBox, formatTime, h, objectPath, replaceChildren, spinner } from "../../dom.js";
import { coverPicker } from "./frame_strip.js";
import { startJobButton } from "./start_job.js";

export function smartSection(page) {
  const content = h("div");
  const result = h("div");
  const element = h(
    "section",
    { class: "panel section-smart", "aria-labelledby": "smart-heading" },
    h("div", { class: "panel-head" }, h("h2", { id: "smart-heading" }, "Smart cover")),
    content,
    result,
  );
  let shownKey;
  let picker = null;

  function update(fresh) {
    const smart = fresh.smartCover;
    const coverPath = fresh.cover ? objectPath(fresh.cover.url) : null;
    const key = smart
      ? `${smart.status}:${smart.candidates.map((c) => objectPath(c.url)).join("|")}#${coverPath}#${fresh.status}`
      : `none:${fresh.status}`;
    if (key === shownKey) return picker?.refresh();
    shownKey = key;
    picker = null;
    if (!smart || smart.status === "Failed") {
      const start = startJobButton(page, result, fresh, {
        label: smart ? "Try again" : "Generate smart cover",
        work: () => api.startSmartCover(page.videoId),
        started: "Smart-cover analysis started.",
        refused: "Smart-cover analysis could not start",
      });
      replaceChildren(
        content,
        smart?.error ? errorBox(smart.error, "Smart-cover analysis failed") : null,
        h(
          "p",
          { class: "hint" },
          "Smart-cover analysis looks through the whole video, skips black, blurred and flat frames, " +
            "and ranks distinct scenes. It also makes an animated cover.",
        ),
        h("div", { class: "panel-actions" }, start, fresh.status !== "Normal" ? h("span", { class: "hint" }, "Available once the video is ready.") : null),
      );
      return;
    }
    if (smart.status === "Processing") {
      replaceChildren(content, h("p", { class: "empty-inline" }, spinner("Analysing"), " Analysing scenes… this updates by itself."));
      return;
    }
    picker = coverPicker(page, result, {
      field: "coverCandidate",
      message: (c) => `Cover set to the smart candidate at ${formatTime(c.time)}.`,
      name: "candidate",
      kind: "Candidate",
      legend: "Smart-cover candidates, best first",
      items: smart.candidates,
      describe: (c) => `score ${c.score.toFixed(2)} · ${formatTime(c.time)}`,
      current: (c) => objectPath(c.url) === coverPath,
      badge: (c, position) => (position === 0 ? "Best" : null),
    });
    const animated = smart.animated
      ? h(
          "figure",
          { class: "animated-cover" },
          h("img", { src: smart.animated.webp, alt: "Animated cover preview", loading: "lazy" }),
          h(
            "figcaption",
            {},
            "Animated cover: ",
            h("a", { href: smart.animated.gif, target: "_blank", rel: "noopener" }, "GIF"),
            " · ",
            h("a", { href: smart.animated.webp, target: "_blank", rel: "noopener" }, "WebP"),
          ),
        )
      : null;
    replaceChildren(
      content,
      smart.candidates.length ? picker.strip.fieldset : h("p", { class: "hint" }, "No candidate stood out."),
      smart.candidates.length ? picker.actions : null,
      animated,
    );
  }

  return { element, update };
}
