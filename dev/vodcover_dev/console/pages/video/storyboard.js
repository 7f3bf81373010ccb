// Scrub previews from the storyboard (docs/design.md, "Storyboard"): a WebVTT file whose cues
// point at `sheet.jpg#xywh=x,y,w,h`, the format video.js, Plyr and Vidstack read. A slider
// under the player shows the tile for the time under the pointer (or the slider's value, by
// keyboard) as a CSS background of its sprite sheet, and seeks the player there.
// Without a storyboard: an action to make one; while it is made: progress.
// `page` is the video page's shared state (pages/video.js); `player` the player section.

import { api } from "../../api.js";
import { errorBox, formatTime, h, objectPath, replaceChildren, setSlot, spinner } from "../../dom.js";
import { startJobButton } from "./start_job.js";

/** "00:01:02.500" or "01:02.500" → seconds. */
function cueSeconds(stamp) {
  return stamp.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

/**
 * The cues of a storyboard VTT: [{start, end, sheet, x, y, w, h}]. A cue's sheet is named
 * relative to the VTT (`0.jpg`); `sheets` (the answer's URLs, presigned or not) stand for them
 * by number, other names resolve against `vttUrl`.
 */
export function parseStoryboardVtt(text, vttUrl, sheets) {
  const cues = [];
  for (const block of text.replace(/\r\n?/g, "\n").split(/\n{2,}/)) {
    const lines = block.split("\n").map((line) => line.trim());
    const timing = lines.findIndex((line) => line.includes("-->"));
    if (timing < 0 || !lines[timing + 1]) continue;
    const [start, end] = lines[timing].split("-->").map((part) => cueSeconds(part.trim().split(/\s+/)[0]));
    const [name, fragment] = lines[timing + 1].split("#xywh=");
    const region = (fragment ?? "").split(",").map(Number);
    if (region.length !== 4 || region.some((value) => !Number.isFinite(value))) continue;
    const numbered = /^(\d+)\.jpg$/.exec(name);
    const sheet = numbered && sheets[Number(numbered[1])] ? sheets[Number(numbered[1])] : new URL(name, vttUrl).href;
    const [x, y, w, hh] = region;
    cues.push({ start, end, sheet, x, y, w, h: hh });
  }
  return cues;
}

/** The cue showing `seconds`: the last that starts at or before it. */
export function cueAt(cues, seconds) {
  let found = cues[0] ?? null;
  for (const cue of cues) {
    if (cue.start <= seconds) found = cue;
    else break;
  }
  return found;
}

export function storyboardSection(page, player) {
  const scrub = h("input", {
    type: "range",
    id: "storyboard-scrub",
    class: "storyboard-scrub",
    min: "0",
    max: "1",
    step: "0.1",
    value: "0",
  });
  const tile = h("div", { class: "storyboard-tile", id: "storyboard-tile" });
  const tileTime = h("span", { class: "storyboard-time" });
  const preview = h("div", { class: "storyboard-preview", hidden: true, "aria-hidden": "true" }, tile, tileTime);
  const scrubber = h(
    "div",
    { class: "storyboard-scrubber", hidden: true },
    h("label", { for: "storyboard-scrub", class: "storyboard-label" }, "Scrub with previews"),
    h("div", { class: "storyboard-track" }, preview, scrub),
  );
  const status = h("div", { class: "storyboard-status" });
  const result = h("div");
  const element = h("div", { class: "storyboard", id: "storyboard" }, scrubber, status, result);
  let cues = [];
  let loadedKey = null;
  let shownKey;
  let duration = 0;
  let pointerInside = false;

  scrub.addEventListener("pointermove", (event) => {
    pointerInside = true;
    const box = scrub.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    show(fraction * duration, fraction);
  });
  scrub.addEventListener("pointerleave", () => {
    pointerInside = false;
    if (document.activeElement !== scrub) preview.hidden = true;
  });
  scrub.addEventListener("input", () => {
    const seconds = Number(scrub.value);
    show(seconds, duration ? seconds / duration : 0);
    const media = player.media();
    if (media && media.readyState >= 1) media.currentTime = seconds;
  });
  scrub.addEventListener("focus", () => show(Number(scrub.value), duration ? Number(scrub.value) / duration : 0));
  scrub.addEventListener("blur", () => {
    if (!pointerInside) preview.hidden = true;
  });

  /** Show the tile for `seconds`, above the slider at `fraction` of its width. */
  function show(seconds, fraction) {
    const cue = cueAt(cues, seconds);
    if (!cue) return;
    Object.assign(tile.style, {
      width: `${cue.w}px`,
      height: `${cue.h}px`,
      backgroundImage: `url("${cue.sheet}")`,
      backgroundPosition: `-${cue.x}px -${cue.y}px`,
    });
    Object.assign(tile.dataset, { time: seconds.toFixed(3), xywh: `${cue.x},${cue.y},${cue.w},${cue.h}` });
    tileTime.textContent = formatTime(seconds);
    scrub.setAttribute("aria-valuetext", formatTime(seconds));
    preview.style.left = `clamp(0px, calc(${(fraction * 100).toFixed(3)}% - ${cue.w / 2}px), calc(100% - ${cue.w}px))`;
    preview.hidden = false;
  }

  /** Keep the slider where the player is while nobody is scrubbing. */
  function follow(media) {
    if (!media || media.dataset.storyboard) return;
    media.dataset.storyboard = "followed";
    media.addEventListener("timeupdate", () => {
      if (document.activeElement !== scrub && !pointerInside) scrub.value = String(media.currentTime);
    });
  }

  function update(fresh) {
    follow(player.media());
    const board = fresh.storyboard;
    duration = fresh.media?.duration ?? 0;
    const key = `${board?.status}:${objectPath(board?.vtt)}:${fresh.status}`;
    if (key === shownKey) return;
    shownKey = key;
    if (board?.vtt && board.status !== "Failed") load(board);
    else scrubber.hidden = true;
    if (board?.status === "Processing") {
      replaceChildren(status, h("p", { class: "hint", role: "status" }, spinner("Making the storyboard"), " Making the storyboard… this updates by itself."));
    } else if (!board || board.status === "Failed") {
      const start = startJobButton(page, result, fresh, {
        label: board ? "Try the storyboard again" : "Make storyboard",
        id: "make-storyboard",
        work: () => api.startStoryboard(page.videoId),
        started: "Making the storyboard.",
        refused: "The storyboard could not start",
      });
      replaceChildren(
        status,
        board?.error ? errorBox(board.error, "The storyboard could not be made") : null,
        h("div", { class: "panel-actions" }, start, h("span", { class: "hint" }, "A storyboard gives previews while scrubbing.")),
      );
    } else {
      replaceChildren(status);
    }
  }

  async function load(board) {
    const key = objectPath(board.vtt);
    if (key === loadedKey) return;
    loadedKey = key;
    try {
      const answer = await fetch(board.vtt, { cache: "no-store" });
      if (!answer.ok) throw Object.assign(new Error(`The storyboard file answered ${answer.status}.`), { code: `Http.${answer.status}` });
      cues = parseStoryboardVtt(await answer.text(), board.vtt, board.sheets);
      scrub.max = String(duration || cues.at(-1)?.end || 1);
      scrub.step = String(Math.max(0.1, board.interval / 4));
      scrubber.hidden = cues.length === 0;
      scrubber.dataset.cues = String(cues.length);
    } catch (error) {
      loadedKey = null;
      if (!page.signal.aborted) setSlot(result, errorBox(error, "The storyboard could not be read"));
    }
  }

  return { element, update };
}
