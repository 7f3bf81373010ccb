// One video: player, current cover, snapshots, smart candidates, cover upload, details.
// Sections re-render only when what they show changed, so polling never clobbers the player,
// a half-typed title or a picked snapshot.

import { api } from "../api.js";
import {
  announce,
  busy,
  COVER_CHANGE_STATUSES,
  COVER_SOURCES,
  errorBox,
  formatBytes,
  formatDate,
  formatTime,
  h,
  needsPolling,
  notice,
  objectPath,
  replaceChildren,
  setSlot,
  spinner,
  statusBadge,
  toast,
  wireDrop,
} from "../dom.js";
import { checkCoverImage, COVER_LIMITS } from "../images.js";
import { Poller } from "../poll.js";

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
  const player = playerSection();
  const cover = coverSection();
  const snapshots = snapshotsSection();
  const smart = smartSection();
  const upload = uploadSection();
  const details = detailsSection();
  body.append(
    h("div", { class: "column-main" }, player.element, snapshots.element, smart.element),
    h("div", { class: "column-side" }, cover.element, details.element, upload.element),
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
    for (const section of [player, cover, snapshots, smart, upload]) section.update(fresh);
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

  // --- player ---------------------------------------------------------------------------------
  function playerSection() {
    const frame = h("div", { class: "player-frame" });
    const timeLabel = h("span", { class: "player-time", "aria-live": "off" }, "");
    const useFrame = h(
      "button",
      { type: "button", class: "button", disabled: true, onclick: () => coverFromPlayer() },
      "Use this frame as cover",
    );
    const result = h("div");
    const element = h(
      "section",
      { class: "panel section-player", "aria-labelledby": "player-heading" },
      h("h2", { id: "player-heading", class: "visually-hidden" }, "Player"),
      frame,
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
      useFrame.disabled = !(videoElement && videoElement.readyState >= 1 && canChangeCover());
    }

    function coverFromPlayer() {
      const seconds = Math.round(videoElement.currentTime * 1000) / 1000;
      changeCover(
        useFrame,
        result,
        () => api.updateVideo(videoId, { coverTime: seconds }),
        `Cover set to the frame at ${formatTime(seconds)}.`,
      );
    }

    return { element, update };
  }

  // --- current cover ------------------------------------------------------------------------
  function coverSection() {
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

  // --- a strip of pickable frames (snapshots, candidates) -----------------------------------------
  function frameStrip({ name, kind, legend, items, describe, current, badge }) {
    const choices = items.map((item, position) => {
      const isCover = Boolean(current?.(item));
      const tags = [isCover ? "Cover" : null, badge?.(item, position)].filter(Boolean);
      const spoken = `${kind} ${describe(item, position)}${tags.length ? ` (${tags.join(", ").toLowerCase()})` : ""}`;
      const input = h("input", { type: "radio", name, value: String(item.index), class: "visually-hidden", "aria-label": spoken });
      const label = h(
        "label",
        { class: "frame-choice", dataset: { index: String(item.index), current: String(isCover) } },
        input,
        h("img", { src: item.url, alt: "", loading: "lazy" }),
        h("span", { class: "frame-caption" }, describe(item, position)),
        tags.length ? h("span", { class: "frame-tags" }, tags.map((tag) => h("span", { class: `frame-tag frame-tag-${tag.toLowerCase()}` }, tag))) : null,
      );
      return { input, label, item };
    });
    const fieldset = h(
      "fieldset",
      { class: "frame-strip" },
      h("legend", { class: "visually-hidden" }, legend),
      choices.map((choice) => choice.label),
    );
    return {
      fieldset,
      selected() {
        const picked = choices.find((choice) => choice.input.checked);
        return picked ? picked.item : null;
      },
      select(index) {
        for (const choice of choices) choice.input.checked = choice.item.index === index;
      },
      onChange(listener) {
        fieldset.addEventListener("change", listener);
      },
    };
  }

  // --- snapshots -------------------------------------------------------------------------------
  function snapshotsSection() {
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
      if (setButton) setButton.disabled = !(strip?.selected() && canChangeCover());
    }

    function setSnapshot() {
      const snapshot = strip.selected();
      changeCover(
        setButton,
        result,
        () => api.updateVideo(videoId, { coverSnapshot: snapshot.index }),
        `Cover set to snapshot #${snapshot.index} (${formatTime(snapshot.time)}).`,
      );
    }

    return { element, update };
  }

  // --- smart cover -------------------------------------------------------------------------------
  function smartSection() {
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
      if (setButton) setButton.disabled = !(strip?.selected() && canChangeCover());
    }

    async function generate(button) {
      setSlot(result, null);
      try {
        const fresh = await busy(button, () => api.startSmartCover(videoId), "Starting…");
        if (signal.aborted) return;
        apply(fresh);
        announce("Smart-cover analysis started.");
        poller.kick();
      } catch (error) {
        setSlot(result, errorBox(error, "Smart-cover analysis could not start"));
      }
    }

    function setCandidate() {
      const candidate = strip.selected();
      changeCover(
        setButton,
        result,
        () => api.updateVideo(videoId, { coverCandidate: candidate.index }),
        `Cover set to the smart candidate at ${formatTime(candidate.time)}.`,
      );
    }

    return { element, update };
  }

  // --- upload a cover image -----------------------------------------------------------------------
  function uploadSection() {
    const input = h("input", { type: "file", id: "cover-file", accept: "image/jpeg,image/png", class: "file-input" });
    const checkSlot = h("div", { class: "check-slot" });
    const result = h("div");
    const send = h("button", { type: "button", class: "button button-primary", disabled: true, onclick: () => uploadChecked() }, "Upload as cover");
    const statusNote = h("p", { class: "hint" });
    const drop = h(
      "div",
      { class: "dropzone dropzone-small" },
      input,
      h("label", { for: "cover-file", class: "dropzone-label" }, h("strong", {}, "Choose an image"), " or drop it here"),
    );
    const element = h(
      "section",
      { class: "panel section-upload", "aria-labelledby": "upload-cover-heading" },
      h("h2", { id: "upload-cover-heading" }, "Upload a cover image"),
      h(
        "p",
        { class: "hint", id: "cover-rules" },
        `JPG or PNG, up to 1 MB, at most ${COVER_LIMITS.maxLongSide}×${COVER_LIMITS.maxShortSide} px ` +
          `(or ${COVER_LIMITS.maxShortSide}×${COVER_LIMITS.maxLongSide} portrait).`,
      ),
      drop,
      checkSlot,
      h("div", { class: "panel-actions" }, send, statusNote),
      result,
    );
    input.setAttribute("aria-describedby", "cover-rules");
    let checked = null; // {file, check}
    let previewUrl = null;
    signal.addEventListener("abort", () => previewUrl && URL.revokeObjectURL(previewUrl));

    input.addEventListener("change", () => input.files[0] && take(input.files[0]));
    wireDrop(drop, (file) => take(file));

    async function take(file) {
      setSlot(result, null);
      const check = await checkCoverImage(file);
      if (signal.aborted) return;
      checked = { file, check };
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = check.decoded ? URL.createObjectURL(file) : null;
      const facts = [
        check.type ? check.type.toUpperCase() : "unknown type",
        formatBytes(file.size),
        check.width ? `${check.width}×${check.height}` : null,
      ].filter(Boolean);
      setSlot(
        checkSlot,
        h(
          "div",
          { class: `file-check ${check.ok ? "file-ok" : "file-bad"}` },
          previewUrl ? h("img", { src: previewUrl, alt: "Preview of the chosen image" }) : null,
          h(
            "div",
            {},
            h("p", { class: "file-name" }, file.name),
            h("p", { class: "hint" }, facts.join(" · ")),
            check.ok && !check.decoded
              ? h("p", { class: "hint warn" }, "This browser cannot preview the image; the server will check it.")
              : null,
            check.problems.length
              ? h(
                  "ul",
                  { class: "problems", role: "alert", "aria-label": "Problems with this image" },
                  check.problems.map((p) => h("li", { dataset: { code: p.code } }, h("code", { class: "error-code" }, p.code), " ", p.message)),
                )
              : null,
          ),
        ),
      );
      refresh();
      announce(check.ok ? `${file.name} is ready to upload.` : `${file.name} cannot be a cover: ${check.problems[0].message}`);
    }

    function refresh() {
      send.disabled = !(checked?.check.ok && canChangeCover());
      statusNote.textContent = video && !canChangeCover() ? "Covers can be changed once the upload has finished." : "";
    }

    function uploadChecked() {
      const { file, check } = checked;
      changeCover(send, result, () => api.uploadCover(videoId, file, check.contentType), `Cover replaced by ${file.name}.`);
    }

    return { element, update: () => refresh() };
  }

  // --- title, description, tags --------------------------------------------------------------------
  function detailsSection() {
    const title = h("input", { id: "video-title", name: "title", required: true, maxlength: "128", autocomplete: "off" });
    const description = h("textarea", { id: "video-description", name: "description", rows: "3", maxlength: "2000" });
    const tags = h("input", { id: "video-tags", name: "tags", autocomplete: "off", "aria-describedby": "tags-hint" });
    const save = h("button", { type: "submit", class: "button button-primary" }, "Save details");
    const result = h("div");
    const form = h(
      "form",
      { class: "form" },
      field("Title", title),
      field("Description", description),
      field("Tags", tags, h("p", { class: "hint", id: "tags-hint" }, "Separate tags with commas; up to 20.")),
      h("div", { class: "panel-actions" }, save),
      result,
    );
    const element = h(
      "section",
      { class: "panel section-details", "aria-labelledby": "details-heading" },
      h("h2", { id: "details-heading" }, "Details"),
      form,
    );

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      setSlot(result, null);
      const changes = {};
      const newTitle = title.value.trim();
      const newTags = parseTags(tags.value);
      if (newTitle !== video.title) changes.title = newTitle;
      if (description.value !== video.description) changes.description = description.value;
      if (newTags.join("\n") !== video.tags.join("\n")) changes.tags = newTags;
      if (Object.keys(changes).length === 0) {
        setSlot(result, notice("Nothing changed."));
        return;
      }
      try {
        const fresh = await busy(save, () => api.updateVideo(videoId, changes), "Saving…");
        if (signal.aborted) return;
        apply(fresh);
        fill(fresh);
        toast("Details saved.");
        announce("Details saved.");
      } catch (error) {
        setSlot(result, errorBox(error, "The details were not saved"));
      }
    });

    function fill(fresh) {
      title.value = fresh.title;
      description.value = fresh.description;
      tags.value = fresh.tags.join(", ");
    }

    return { element, fill };
  }
}

function field(labelText, control, ...extra) {
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control, extra);
}

export function parseTags(text) {
  return [...new Set(text.split(",").map((tag) => tag.trim()).filter(Boolean))];
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
