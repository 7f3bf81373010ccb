// Batch edit: titles and covers of several videos at once (PATCH /videos, batchLimit per call),
// with each video's own result: updated, not found, forbidden, or failed with its code.

import { api, getManyVideos, limits } from "../api.js";
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
  statusBadge,
} from "../dom.js";
import { countsText, sendInBatches, showResult } from "../results.js";
import { clearSelection } from "../state.js";

export function renderBatch(main, { signal }, idsText) {
  const ids = [...new Set(decodeURIComponent(idsText ?? "").split(",").map((id) => id.trim()).filter(Boolean))];
  const rows = new Map(); // videoId → row
  const heading = h("h1", { tabindex: "-1" }, `Edit ${ids.length} video${ids.length === 1 ? "" : "s"}`);
  const list = h("ul", { class: "batch-list", "aria-label": "Videos to edit" });
  const summary = h("div", { class: "batch-summary", role: "status" });
  const errorSlot = h("div");
  const allCover = h("select", { id: "batch-cover-all" });
  const applyAll = h("button", { type: "button", class: "button", onclick: () => setCoverForAll() }, "Use for every video");
  const save = h("button", { type: "button", class: "button button-primary", onclick: () => applyChanges() }, "Apply changes");

  main.append(
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "← Library")),
    h("div", { class: "page-head" }, h("div", {}, heading, h("p", { class: "page-subtitle" }, "Change titles and covers, then apply them all at once."))),
    h(
      "div",
      { class: "panel batch-all" },
      h("label", { for: "batch-cover-all" }, "Cover for every video"),
      h("div", { class: "inline-controls" }, allCover, applyAll),
    ),
    errorSlot,
    list,
    h("div", { class: "panel-actions batch-actions" }, save, summary),
  );

  if (ids.length === 0) {
    list.replaceChildren(h("li", { class: "empty" }, "No videos selected. ", h("a", { href: "#/" }, "Pick some in the library.")));
    save.disabled = true;
    return () => {};
  }
  list.append(h("li", { class: "grid-loading" }, spinner("Loading"), " Loading videos…"));
  load();

  async function load() {
    try {
      const { found, missing, forbidden } = await getManyVideos(ids);
      if (signal.aborted) return;
      list.replaceChildren();
      const byId = new Map(found.map((video) => [video.videoId, video]));
      for (const id of ids) {
        const row = makeRow(id, byId.get(id) ?? null);
        rows.set(id, row);
        list.append(row.element);
        if (missing.includes(id)) row.result("missing");
        if (forbidden.includes(id)) row.result("forbidden");
      }
      const maxSnapshots = Math.max(0, ...found.map((video) => video.snapshots.length));
      replaceChildren(
        allCover,
        h("option", { value: "keep" }, "Keep each current cover"),
        Array.from({ length: maxSnapshots }, (_, i) => h("option", { value: `snapshot:${i}` }, `Snapshot #${i}`)),
        found.some((video) => video.smartCover?.candidates?.length) ? h("option", { value: "candidate:best" }, "Best smart candidate") : null,
      );
    } catch (error) {
      if (signal.aborted) return;
      list.replaceChildren();
      setSlot(errorSlot, errorBox(error, "The videos could not be loaded"));
    }
  }

  function makeRow(videoId, video) {
    const resultSlot = h("div", { class: "batch-result", "aria-live": "polite" });
    const element = h("li", { class: "batch-row", dataset: { videoId } });
    const row = { videoId, video, element, title: null, cover: null, result: (kind, detail) => showResult(resultSlot, kind, detail) };
    if (!video) {
      element.append(
        h("div", { class: "batch-thumb thumb-placeholder" }, "?"),
        h("div", { class: "batch-fields" }, h("p", { class: "batch-missing" }, h("code", {}, videoId))),
        resultSlot,
      );
      return row;
    }
    fillRow(row, video, resultSlot);
    return row;
  }

  function fillRow(row, video, resultSlot) {
    const id = row.videoId;
    row.video = video;
    row.title = h("input", { id: `title-${id}`, value: video.title, maxlength: "128", required: true, autocomplete: "off" });
    row.cover = h(
      "select",
      { id: `cover-${id}` },
      h("option", { value: "keep" }, "Keep current cover"),
      video.snapshots.map((snapshot) => h("option", { value: `snapshot:${snapshot.index}` }, `Snapshot #${snapshot.index} (${formatTime(snapshot.time)})`)),
      (video.smartCover?.candidates ?? []).map((candidate) =>
        h("option", { value: `candidate:${candidate.index}` }, `Smart #${candidate.index} (score ${candidate.score.toFixed(2)})`),
      ),
    );
    const thumb = video.cover
      ? h("img", { class: "batch-thumb", src: video.cover.url, alt: "", dataset: { key: objectPath(video.cover.url) } })
      : h("div", { class: "batch-thumb thumb-placeholder" }, "No cover");
    replaceChildren(
      row.element,
      thumb,
      h(
        "div",
        { class: "batch-fields" },
        h("div", { class: "field" }, h("label", { for: row.title.id }, "Title"), row.title),
        h("div", { class: "field" }, h("label", { for: row.cover.id }, "Cover"), row.cover),
        h("div", { class: "batch-meta" }, statusBadge(video.status, video.error), h("code", { class: "video-id" }, id)),
      ),
      resultSlot,
    );
  }

  function setCoverForAll() {
    const value = allCover.value;
    let missingIn = 0;
    for (const row of rows.values()) {
      if (!row.cover) continue;
      let wanted = value;
      if (value.startsWith("snapshot:")) {
        const snapshot = row.video.snapshots[Number(value.split(":")[1])];
        wanted = snapshot ? `snapshot:${snapshot.index}` : null;
      } else if (value === "candidate:best") {
        const best = row.video.smartCover?.candidates?.[0];
        wanted = best ? `candidate:${best.index}` : null;
      }
      if (wanted === null) missingIn += 1;
      row.cover.value = wanted ?? "keep";
    }
    announce(missingIn ? `Cover set where available; ${missingIn} video(s) have no such picture.` : "Cover choice set for every video.");
  }

  function changesOf(row) {
    const changes = {};
    const title = row.title.value.trim();
    if (title !== row.video.title) changes.title = title;
    const [kind, index] = row.cover.value.split(":");
    if (kind === "snapshot") changes.coverSnapshot = Number(index);
    if (kind === "candidate") changes.coverCandidate = Number(index);
    return changes;
  }

  async function applyChanges() {
    setSlot(errorSlot, null);
    const updates = [];
    for (const row of rows.values()) {
      if (!row.video) continue;
      const changes = changesOf(row);
      if (Object.keys(changes).length === 0) {
        row.result("unchanged");
      } else if (changes.title === "") {
        row.result("failed", { code: "InvalidParameter.Title", message: "A title cannot be empty." });
      } else {
        updates.push({ videoId: row.videoId, ...changes });
        row.result("pending");
      }
    }
    if (updates.length === 0) {
      setSlot(summary, "Nothing to change.");
      return;
    }
    let batchLimit;
    try {
      ({ batchLimit } = await limits());
    } catch (error) {
      setSlot(errorSlot, errorBox(error, "The changes were not sent"));
      return;
    }
    const counts = await busy(
      save,
      () =>
        sendInBatches({
          items: updates,
          idOf: (update) => update.videoId,
          batchLimit,
          send: (chunk) => api.batchUpdate(chunk),
          done: "updated",
          show: (id, kind, detail) => rows.get(id)?.result(kind, detail),
        }),
      "Applying…",
    );
    if (signal.aborted) return;
    setSlot(summary, countsText(counts, "updated"));
    if (counts.done && !counts.failed && !counts.missing && !counts.forbidden) clearSelection();
    await refreshRows(updates.map((update) => update.videoId));
  }

  async function refreshRows(updatedIds) {
    try {
      const { found } = await getManyVideos(updatedIds);
      if (signal.aborted) return;
      for (const video of found) {
        const row = rows.get(video.videoId);
        const resultSlot = row.element.querySelector(".batch-result");
        fillRow(row, video, resultSlot);
      }
    } catch {
      // The results are shown already; fresh thumbnails are a nicety.
    }
  }

  return () => {};
}
