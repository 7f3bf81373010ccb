// One video: player, current cover, snapshots, smart candidates, cover upload, details, delete.
// Sections re-render only when what they show changed, so polling never clobbers the player,
// a half-typed title or a picked snapshot. Each section is a module of pages/video/; this one
// holds what they share (`page`): the record, polling, and the one way to change a cover.

import { api } from "../api.js";
import {
  announce,
  busy,
  COVER_CHANGE_STATUSES,
  errorBox,
  h,
  needsPolling,
  notice,
  replaceChildren,
  setSlot,
  spinner,
  statusBadge,
  toast,
} from "../dom.js";
import { Poller } from "../poll.js";
import { coverHistorySection } from "./video/cover_history.js";
import { coverUploadSection } from "./video/cover_upload.js";
import { coverSection } from "./video/current_cover.js";
import { deleteSection } from "./video/delete_video.js";
import { detailsSection } from "./video/details.js";
import { playerSection } from "./video/player.js";
import { smartSection } from "./video/smart_cover.js";
import { snapshotJobSection } from "./video/snapshot_job.js";
import { snapshotsSection } from "./video/snapshots.js";
import { storyboardSection } from "./video/storyboard.js";

export function renderVideo(main, { signal }, videoId) {
  let video = null;
  const heading = h("h1", { tabindex: "-1", class: "video-title" }, "Loading…");
  const statusSlot = h("span", { class: "title-status" });
  const banner = h("div", { class: "banner-slot" });
  const body = h("div", { class: "video-layout" });

  main.append(
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "← Library")),
    h("div", { class: "page-head" }, h("div", { class: "title-row" }, heading, statusSlot)),
    banner,
    body,
  );

  const poller = new Poller(async () => {
    const fresh = await api.getVideo(videoId);
    if (signal.aborted) return "done";
    const changed = fresh.version !== video.version || fresh.status !== video.status;
    apply(fresh);
    if (!needsPolling(fresh)) return "done";
    return changed ? "changed" : "same";
  });
  signal.addEventListener("abort", () => poller.stop());

  // --- the sections -----------------------------------------------------------------------
  const page = {
    videoId,
    signal,
    get video() {
      return video;
    },
    apply,
    canChangeCover,
    changeCover,
    kick: () => poller.kick(),
  };
  const player = playerSection(page);
  const cover = coverSection(page);
  const snapshots = snapshotsSection(page);
  const smart = smartSection(page);
  const upload = coverUploadSection(page);
  const details = detailsSection(page);
  const history = coverHistorySection(page);
  const storyboard = storyboardSection(page, player);
  player.below.append(storyboard.element);
  const snapshotJob = snapshotJobSection(page);
  const remove = deleteSection(page);
  body.append(
    h("div", { class: "column-main" }, player.element, snapshots.element, snapshotJob.element, smart.element),
    h("div", { class: "column-side" }, cover.element, history.element, details.element, upload.element, remove.element),
  );

  api
    .getVideo(videoId)
    .then((fresh) => {
      if (signal.aborted) return;
      apply(fresh);
      details.fill(fresh);
      document.title = `${fresh.title || "Untitled"} · vodcover`;
    })
    .catch((error) => {
      if (signal.aborted) return;
      heading.textContent = error.code === "InvalidVideo.NotFound" ? "Video not found" : "Video unavailable";
      body.replaceChildren(errorBox(error, "This video could not be loaded"));
    });

  /** Show a fresh video record everywhere it matters. */
  function apply(fresh) {
    video = fresh;
    heading.textContent = fresh.title || "Untitled";
    replaceChildren(statusSlot, statusBadge(fresh.status, fresh.error));
    setSlot(banner, statusBanner(fresh));
    for (const section of [player, storyboard, cover, history, snapshots, snapshotJob, smart, upload, remove]) section.update(fresh);
    if (needsPolling(fresh)) poller.start();
  }

  function canChangeCover() {
    return video !== null && COVER_CHANGE_STATUSES.has(video.status);
  }

  /** Run a cover change; on success show the new record, on refusal the server's error. */
  async function changeCover(button, resultSlot, work, doneMessage) {
    setSlot(resultSlot, null);
    try {
      const fresh = await busy(button, work, "Saving…");
      if (signal.aborted) return;
      apply(fresh);
      toast(doneMessage);
      announce(doneMessage);
      if (needsPolling(fresh)) poller.kick();
    } catch (error) {
      setSlot(resultSlot, errorBox(error, "The cover was not changed"));
    }
  }
}

function statusBanner(video) {
  switch (video.status) {
    case "Uploading":
      return notice("Waiting for the upload to finish. This page updates by itself.");
    case "UploadSucc":
    case "Processing":
      return h("div", { class: "alert alert-info" }, spinner("Processing"), " Processing: taking snapshots and choosing a cover. This page updates by itself.");
    case "UploadFail":
      return errorBox(video.error ?? { code: video.status, message: "The upload failed." }, video.error?.code === "Upload.Expired" ? "The upload never arrived" : "This video could not be uploaded");
    case "ProcessFail":
      return errorBox(video.error ?? { code: video.status, message: "The video could not be processed." }, "This video could not be processed");
    default:
      return null;
  }
}
