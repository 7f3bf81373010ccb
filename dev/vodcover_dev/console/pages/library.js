// The media library: a grid of the caller's videos, newest first, paged with nextToken.
// Search filters the pages loaded so far by title (the API has no search); videos still
// uploading or processing are refreshed in place (GET /videos?ids=…, with backoff).

import { api, getManyVideos } from "../api.js";
import {
  announce,
  errorBox,
  formatDate,
  formatDuration,
  h,
  icon,
  needsPolling,
  objectPath,
  replaceChildren,
  setSlot,
  spinner,
  failureReason,
  statusBadge,
} from "../dom.js";
import { coverImageAttributes } from "../images.js";
import { Poller } from "../poll.js";
import { deleteVideos } from "./batch_delete.js";
import { clearSelection, onSelectionChange, selection, toggleSelected } from "../state.js";

const PAGE_SIZE = 24;

export function renderLibrary(main, { signal }) {
  const cards = new Map(); // videoId → {video, element, link, checkbox}
  let nextToken = null;
  let loadedOnce = false;

  const heading = h("h1", { tabindex: "-1" }, "Media library");
  const count = h("p", { class: "page-subtitle" }, "");
  const search = h("input", {
    id: "library-search",
    type: "search",
    placeholder: "Search by title",
    autocomplete: "off",
    oninput: () => applySearch(),
  });
  const searchNote = h("p", { class: "hint", id: "search-note", "aria-live": "polite" });
  search.setAttribute("aria-describedby", "search-note");
  const grid = h("ul", { class: "video-grid", "aria-label": "Videos" });
  const errorSlot = h("div");
  const moreButton = h("button", { type: "button", class: "button", hidden: true, onclick: () => loadMore() }, "Load more");
  const selectionCount = h("span", { class: "selection-count" });
  const selectionBar = h(
    "div",
    { class: "selection-bar", role: "region", "aria-label": "Selected videos", hidden: true },
    selectionCount,
    h(
      "div",
      { class: "selection-actions" },
      h("button", { type: "button", class: "button button-quiet", onclick: () => clearSelection() }, "Clear"),
      h(
        "button",
        {
          type: "button",
          class: "button button-primary",
          onclick: () => {
            location.hash = `#/batch/${[...selection].join(",")}`;
          },
        },
        "Edit selected",
      ),
      h("button", { type: "button", class: "button button-danger", id: "delete-selected", onclick: () => deleteSelected() }, "Delete selected"),
    ),
  );

  main.append(
    h(
      "div",
      { class: "page-head" },
      h("div", {}, heading, count),
      h("a", { class: "button button-primary", href: "#/upload" }, h("span", { "aria-hidden": "true", class: "plus" }, "+"), "Upload video"),
    ),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "library-search", class: "visually-hidden" }, "Search videos by title"),
      icon("search", "search-icon"),
      search,
    ),
    searchNote,
    errorSlot,
    grid,
    h("div", { class: "more" }, moreButton),
    selectionBar,
  );

  const poller = new Poller(refreshUnfinished);
  signal.addEventListener("abort", () => poller.stop());
  const unsubscribe = onSelectionChange(() => renderSelection());
  signal.addEventListener("abort", unsubscribe);

  grid.append(h("li", { class: "grid-loading" }, spinner("Loading videos"), " Loading videos…"));
  loadMore();

  async function loadMore() {
    moreButton.disabled = true;
    try {
      const page = await api.listVideos(PAGE_SIZE, nextToken ?? undefined);
      if (signal.aborted) return;
      if (!loadedOnce) grid.replaceChildren();
      loadedOnce = true;
      nextToken = page.nextToken ?? null;
      for (const video of page.videos) addCard(video);
      setSlot(errorSlot, null);
      afterChange();
      if (page.videos.length && cards.size > page.videos.length) {
        announce(`${page.videos.length} more videos loaded.`);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!loadedOnce) grid.replaceChildren();
      setSlot(errorSlot, errorBox(error, "The library could not be loaded"));
    } finally {
      moreButton.disabled = false;
    }
  }

  function addCard(video) {
    if (cards.has(video.videoId)) {
      updateCard(video);
      return;
    }
    const link = h("a", { class: "card-link", href: `#/videos/${encodeURIComponent(video.videoId)}` });
    const checkbox = h("input", {
      type: "checkbox",
      class: "card-check",
      checked: selection.has(video.videoId),
      onchange: (event) => toggleSelected(video.videoId, event.target.checked),
    });
    const element = h(
      "li",
      { class: "card", dataset: { videoId: video.videoId } },
      link,
      h("label", { class: "card-select", title: "Select for batch edit" }, checkbox),
    );
    const card = { video: null, element, link, checkbox, coverKey: null };
    cards.set(video.videoId, card);
    grid.append(element);
    fillCard(card, video);
  }

  function updateCard(video) {
    const card = cards.get(video.videoId);
    if (!card || (card.video.version === video.version && card.video.status === video.status)) return false;
    fillCard(card, video);
    return true;
  }

  function fillCard(card, video) {
    const coverKey = video.cover ? `${objectPath(video.cover.url)}@${video.cover.updatedAt}` : null;
    const existingImage = card.link.querySelector("img");
    let thumb;
    if (video.cover && coverKey === card.coverKey && existingImage) {
      thumb = existingImage; // same picture: keep it, no flicker
    } else if (video.cover) {
      thumb = h("img", { ...coverImageAttributes(video.cover, "(max-width: 600px) 50vw, 240px"), alt: "", loading: "lazy", decoding: "async" });
    } else if (video.status === "Uploading") {
      thumb = h("div", { class: "thumb-placeholder" }, h("span", {}, "Waiting for the upload"));
    } else if (["UploadSucc", "Processing"].includes(video.status)) {
      thumb = h("div", { class: "thumb-placeholder" }, spinner("Processing"), h("span", {}, "Processing"));
    } else {
      thumb = h("div", { class: "thumb-placeholder" }, h("span", {}, "No cover"));
    }
    card.coverKey = coverKey;
    card.video = video;
    const duration = video.media?.duration;
    replaceChildren(
      card.link,
      h(
        "div",
        { class: "thumb" },
        thumb,
        duration ? h("span", { class: "duration", "aria-label": `Duration ${formatDuration(duration)}` }, formatDuration(duration)) : null,
      ),
      h(
        "div",
        { class: "card-body" },
        h("h2", { class: "card-title" }, video.title || "Untitled"),
        h(
          "div",
          { class: "card-meta" },
          statusBadge(video.status, video.error),
          h("time", { class: "card-date", datetime: video.createdAt }, formatDate(video.createdAt)),
        ),
        failureReason(video),
      ),
    );
    card.element.dataset.status = video.status;
    card.element.dataset.title = (video.title || "").toLowerCase();
    card.checkbox.setAttribute("aria-label", `Select “${video.title || "Untitled"}”`);
  }

  function afterChange() {
    if (cards.size === 0) {
      grid.replaceChildren(
        h(
          "li",
          { class: "empty" },
          h("p", { class: "empty-title" }, "No videos yet"),
          h("p", {}, "Upload a video: snapshots and a cover are made for you."),
          h("a", { class: "button button-primary", href: "#/upload" }, "Upload your first video"),
        ),
      );
    }
    moreButton.hidden = !nextToken;
    count.textContent = `${cards.size} video${cards.size === 1 ? "" : "s"}${nextToken ? " loaded" : ""}`;
    applySearch();
    renderSelection();
    if ([...cards.values()].some((card) => needsPolling(card.video))) poller.start();
  }

  function applySearch() {
    const query = search.value.trim().toLowerCase();
    let shown = 0;
    for (const card of cards.values()) {
      const match = !query || card.element.dataset.title.includes(query);
      card.element.hidden = !match;
      if (match) shown += 1;
    }
    if (!query) {
      searchNote.textContent = "";
    } else {
      const scope = nextToken ? `the ${cards.size} videos loaded so far — load more to search older ones` : `${cards.size} videos`;
      searchNote.textContent = `${shown} match${shown === 1 ? "" : "es"} for “${search.value.trim()}” in ${scope}.`;
    }
  }

  function renderSelection() {
    const n = selection.size;
    selectionBar.hidden = n === 0;
    selectionCount.textContent = `${n} selected`;
    for (const [videoId, card] of cards) card.checkbox.checked = selection.has(videoId);
  }

  function deleteSelected() {
    const picked = [...selection].map((videoId) => ({ videoId, title: cards.get(videoId)?.video.title ?? videoId }));
    return deleteVideos(picked, (ids) => {
      for (const videoId of ids) {
        cards.get(videoId)?.element.remove();
        cards.delete(videoId);
      }
      afterChange();
    });
  }

  async function refreshUnfinished() {
    const ids = [...cards.values()].filter((card) => needsPolling(card.video)).map((card) => card.video.videoId);
    if (ids.length === 0) return "done";
    const { found } = await getManyVideos(ids);
    if (signal.aborted) return "done";
    let changed = false;
    for (const video of found) {
      const before = cards.get(video.videoId)?.video.status;
      if (updateCard(video)) {
        changed = true;
        if (before !== video.status) announce(`“${video.title}” is now ${video.status === "Normal" ? "ready" : video.status}.`);
      }
    }
    applySearch();
    const still = [...cards.values()].some((card) => needsPolling(card.video));
    if (!still) return "done";
    return changed ? "changed" : "same";
  }

  return () => poller.stop();
}
