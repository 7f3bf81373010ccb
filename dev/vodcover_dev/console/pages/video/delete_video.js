// Delete the video (DELETE /videos/{id}), after a confirmation that names it; on success back
// to the library, where it is gone. `page` is the video page's shared state (pages/video.js).

import { api } from "../../api.js";
import { confirmDialog } from "../../dialog.js";
import { announce, h, toast } from "../../dom.js";
import { toggleSelected } from "../../state.js";

export function deleteSection(page) {
  const button = h("button", { type: "button", class: "button button-danger", id: "delete-video", onclick: () => askToDelete() }, "Delete video");
  const element = h(
    "section",
    { class: "panel section-delete", "aria-labelledby": "delete-heading" },
    h("h2", { id: "delete-heading" }, "Delete"),
    h("p", { class: "hint" }, "Removes the video, its snapshots, covers and storyboard for good."),
    h("div", { class: "panel-actions" }, button),
  );

  async function askToDelete() {
    const title = page.video?.title || "Untitled";
    const deleted = await confirmDialog({
      id: "delete-dialog",
      title: `Delete “${title}”?`,
      body: h("p", {}, "The video, its snapshots, covers and storyboard are removed for good. This cannot be undone."),
      confirmLabel: "Delete",
      busyLabel: "Deleting…",
      action: async () => {
        await api.deleteVideo(page.videoId);
        return true;
      },
    });
    if (!deleted) return;
    toggleSelected(page.videoId, false);
    toast(`Deleted “${title}”.`);
    announce(`Deleted “${title}”.`);
    location.hash = "#/";
  }

  function update() {
    button.disabled = page.video === null;
  }

  return { element, update };
}
