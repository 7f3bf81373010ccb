// Smart cover: start the analysis, then pick a ranked candidate (coverCandidate); the animated cover.
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import {
  announce,
  busy,
  errorBox,
  formatTime,
  h,
  objectPath,
  replaceChildren,
  setSlot,
  spinner,
} from "../../dom.js";
import { frameStrip } from "./frame_strip.js";

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
  let strip = null;
  let setButton = null;

  function update(fresh) {
    const smart = fresh.smartCover;
    const coverPath = fresh.cover ? objectPath(fresh.cover.url) : null;
    const key = smart
      ? `${smart.status}:${smart.candidates.map((c) => objectPath(c.url)).join("|")}#${coverPath}#${fresh.status}`
      : `none:${fresh.status}`;
    if (key === shownKey) return refresh();
    shownKey = key;
    strip = null;
    setButton = null;
    if (!smart || smart.status === "Failed") {
      const start = h(
        "button",
        { type: "button", class: "button", onclick: () => generate(start) },
        smart ? "Try again" : "Generate smart cover",
      );
      start.disabled = fresh.status !== "Normal";
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
    strip = frameStrip({
      name: "candidate",
      kind: "Candidate",
      legend: "Smart-cover candidates, best first",
      items: smart.candidates,
      describe: (c) => `score ${c.score.toFixed(2)} · ${formatTime(c.time)}`,
      current: (c) => objectPath(c.url) === coverPath,
      badge: (c, position) => (position === 0 ? "Best" : null),
    });
    setButton = h("button", { type: "button", class: "button button-primary", onclick: () => setCandidate() }, "Set as cover");
    strip.onChange(() => refresh());
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
      smart.candidates.length ? strip.fieldset : h("p", { class: "hint" }, "No candidate stood out."),
      smart.candidates.length ? h("div", { class: "panel-actions" }, setButton) : null,
      animated,
    );
    refresh();
  }

  function refresh() {
    if (setButton) setButton.disabled = !(strip?.selected() && page.canChangeCover());
  }

  async function generate(button) {
    setSlot(result, null);
    try {
      const fresh = await busy(button, () => api.startSmartCover(videoId), "Starting…");
      if (page.signal.aborted) return;
      page.apply(fresh);
      announce("Smart-cover analysis started.");
      page.kick();
    } catch (error) {
      setSlot(result, errorBox(error, "Smart-cover analysis could not start"));
    }
  }

  function setCandidate() {
    const candidate = strip.selected();
    page.changeCover(
      setButton,
      result,
      () => api.updateVideo(page.videoId, { coverCandidate: candidate.index }),
      `Cover set to the smart candidate at ${formatTime(candidate.time)}.`,
    );
  }

  return { element, update };
}
