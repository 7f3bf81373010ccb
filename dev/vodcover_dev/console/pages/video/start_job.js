// Starting a job on the video (smart cover, storyboard) whose answer is the video: show it,
// say so, and poll until the job is done; a refusal shows its code in `result`.

import { announce, busy, errorBox, h, setSlot } from "../../dom.js";

async function startJob(page, button, result, { work, started, refused }) {
  setSlot(result, null);
  try {
    const fresh = await busy(button, work, "Starting…");
    if (page.signal.aborted) return;
    page.apply(fresh);
    announce(started);
    page.kick();
  } catch (error) {
    setSlot(result, errorBox(error, refused));
  }
}

/** A button that starts the job (`work`), usable once the video is Normal. */
export function startJobButton(page, result, video, { label, id, work, started, refused }) {
  const button = h("button", { type: "button", class: "button", id, onclick: () => startJob(page, button, result, { work, started, refused }) }, label);
  button.disabled = video.status !== "Normal";
  return button;
}
