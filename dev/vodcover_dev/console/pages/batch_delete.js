// Delete the videos picked in the library (POST /videos/delete, batchLimit per call), after a
// confirmation that lists them; then each video's own result in the dialog: deleted, not
// found, forbidden, or failed with its code, as the batch edit shows them.

import { api, limits } from "../api.js";
import { confirmDialog } from "../dialog.js";
import { announce, h } from "../dom.js";
import { countsText, sendInBatches, showResult } from "../results.js";
import { toggleSelected } from "../state.js";

/** Ask, then delete `videos` ([{videoId, title}]); `onDeleted(ids)` hears which went. */
export async function deleteVideos(videos, onDeleted) {
  const slots = new Map(videos.map((video) => [video.videoId, h("div", { class: "batch-result", "aria-live": "polite" })]));
  const list = h(
    "ul",
    { class: "delete-list", "aria-label": "Videos to delete" },
    videos.map((video) =>
      h(
        "li",
        { class: "delete-row", dataset: { videoId: video.videoId } },
        h("span", { class: "delete-title" }, video.title || "Untitled"),
        slots.get(video.videoId),
      ),
    ),
  );
  const summary = h("p", { class: "batch-summary", role: "status" });
  const n = videos.length;
  await confirmDialog({
    id: "batch-delete-dialog",
    title: `Delete ${n} video${n === 1 ? "" : "s"}?`,
    body: [h("p", {}, "These videos, their snapshots, covers and storyboards are removed for good. This cannot be undone."), list, summary],
    confirmLabel: "Delete",
    busyLabel: "Deleting…",
    review: true,
    action: async () => {
      const { batchLimit } = await limits();
      const ids = videos.map((video) => video.videoId);
      for (const id of ids) showResult(slots.get(id), "deleting");
      const counts = await sendInBatches({
        items: ids,
        idOf: (id) => id,
        batchLimit,
        send: (chunk) => api.deleteVideos(chunk),
        done: "deleted",
        show: (id, kind, detail) => {
          showResult(slots.get(id), kind, detail);
          if (kind === "deleted") toggleSelected(id, false);
        },
        // A video that is not there any more leaves the library too.
        afterChunk: (answer) => onDeleted([...answer.deleted, ...answer.nonExistVideoIds]),
      });
      summary.textContent = countsText(counts, "deleted");
      announce(summary.textContent);
    },
  });
}
