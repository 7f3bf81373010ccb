// The player: the video itself, and its current frame as the cover (coverTime).
// `page` is the video page's shared state (pages/video.js): videoId, signal, video, apply,
// canChangeCover, changeCover, kick.

import { api } from "../../api.js";
import {
  formatTime,
  h,
  objectPath,
  replaceChildren,
} from "../../dom.js";

export function playerSection(page) {
  const frame = h("div", { class: "player-frame" });
  const timeLabel = h("span", { class: "player-time", "aria-live": "off" }, "");
  const useFrame = h(
    "button",
    { type: "button", class: "button", disabled: true, onclick: () => coverFromPlayer() },
    "Use this frame as cover",
  );
  const result = h("div");
  const below = h("div", { class: "player-below" }); // for the storyboard's scrub previews
  const element = h(
    "section",
    { class: "panel section-player", "aria-labelledby": "player-heading" },
    h("h2", { id: "player-heading", class: "visually-hidden" }, "Player"),
    frame,
    below,
    h("div", { class: "player-actions" }, useFrame, timeLabel),
    result,
  );
  let videoElement = null;
  let posterKey = null;

  function update(fresh) {
    if (!videoElement && fresh.sourceUrl) {
      videoElement = h("video", {
        controls: true,
        preload: "metadata",
        playsinline: true,
        src: fresh.sourceUrl,
        "aria-label": `Video: ${fresh.title}`,
      });
      videoElement.addEventListener("loadedmetadata", () => refreshButton());
      videoElement.addEventListener("timeupdate", () => {
        timeLabel.textContent = `at ${formatTime(videoElement.currentTime)}`;
      });
      replaceChildren(frame, videoElement);
    }
    if (!videoElement) {
      const waiting = fresh.status === "Uploading" ? "Waiting for the upload" : "The player appears once the video is processed";
      replaceChildren(
        frame,
        h(
          "div",
          { class: "player-placeholder" },
          fresh.cover ? h("img", { src: fresh.cover.url, alt: "" }) : null,
          h("p", {}, waiting),
        ),
      );
    }
    const key = fresh.cover ? objectPath(fresh.cover.url) + fresh.cover.updatedAt : null;
    if (videoElement && key !== posterKey && fresh.cover) videoElement.poster = fresh.cover.url;
    posterKey = key;
    refreshButton();
  }

  function refreshButton() {
    useFrame.disabled = !(videoElement && videoElement.readyState >= 1 && page.canChangeCover());
  }

  function coverFromPlayer() {
    const seconds = Math.round(videoElement.currentTime * 1000) / 1000;
    page.changeCover(
      useFrame,
      result,
      () => api.updateVideo(page.videoId, { coverTime: seconds }),
      `Cover set to the frame at ${formatTime(seconds)}.`,
    );
  }

  return { element, update, below, media: () => videoElement };
}
