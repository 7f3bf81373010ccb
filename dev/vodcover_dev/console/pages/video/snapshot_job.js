// Take the snapshots again with other settings (POST /videos/{id}/snapshots): count, interval,
// offsets, width, height. The server judges the combination and answers a stable code; the
// job's progress and outcome come with the video (snapshotJob), and the new snapshots show in
// the snapshots section when it is done. `page` is the video page's shared state (pages/video.js).

import { api } from "../../api.js";
import { announce, busy, errorBox, h, replaceChildren, setSlot, spinner } from "../../dom.js";

const FIELDS = [
  { name: "count", label: "Count", hint: "how many, spread evenly", attributes: { type: "number", min: "1", max: "32", step: "1" } },
  { name: "interval", label: "Interval (s)", hint: "one every so many seconds", attributes: { type: "number", min: "0", step: "any" } },
  { name: "offsets", label: "Offsets (s)", hint: "exact times, like 1, 2.5, 4 (at most 30)", attributes: { type: "text", inputmode: "decimal" } },
  { name: "width", label: "Width (px)", hint: "", attributes: { type: "number", min: "16", max: "7680", step: "1" } },
  { name: "height", label: "Height (px)", hint: "", attributes: { type: "number", min: "16", max: "4320", step: "1" } },
];

/** The request from the form's filled fields; throws {code, message} for offsets that are not numbers. */
function snapshotRequest(inputs) {
  const request = {};
  for (const { name } of FIELDS) {
    const text = inputs[name].value.trim();
    if (!text) continue;
    if (name === "offsets") {
      const offsets = text.split(/[\s,;]+/).filter(Boolean).map(Number);
      if (offsets.some((value) => !Number.isFinite(value))) {
        throw { code: "InvalidParameter.Offsets", message: "Offsets are seconds separated by commas, like 1, 2.5, 4." };
      }
      request.offsets = offsets;
    } else {
      request[name] = Number(text);
    }
  }
  return request;
}

export function snapshotJobSection(page) {
  const inputs = {};
  const fields = FIELDS.map(({ name, label, hint, attributes }) => {
    const id = `snapshot-job-${name}`;
    inputs[name] = h("input", { id, name, autocomplete: "off", "aria-describedby": hint ? `${id}-hint` : undefined, ...attributes });
    return h("div", { class: "field" }, h("label", { for: id }, label), inputs[name], hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  });
  const submit = h("button", { type: "submit", class: "button button-primary", id: "snapshot-job-submit" }, "Take snapshots");
  const progress = h("div", { class: "snapshot-job-progress", role: "status" });
  const result = h("div");
  const form = h(
    "form",
    { class: "form", id: "snapshot-job-form", novalidate: true, onsubmit: (event) => send(event) },
    h("div", { class: "form-grid snapshot-job-grid" }, fields),
    h("div", { class: "panel-actions" }, submit),
  );
  const element = h(
    "section",
    { class: "panel section-snapshot-job", "aria-labelledby": "snapshot-job-heading" },
    h(
      "details",
      { class: "snapshot-job" },
      h("summary", {}, h("h2", { id: "snapshot-job-heading" }, "Take snapshots again")),
      h("p", { class: "hint" }, "Offsets alone, or count and/or interval; width and height fit the pictures in a box. The new snapshots replace the old ones; a cover you chose stays."),
      form,
    ),
    progress,
    result,
  );
  let submittedJob = null;
  let shownKey;

  async function send(event) {
    event.preventDefault();
    setSlot(result, null);
    let request;
    try {
      request = snapshotRequest(inputs);
    } catch (problem) {
      setSlot(result, errorBox(problem, "The snapshots were not requested"));
      return;
    }
    try {
      const job = await busy(submit, () => api.submitSnapshotJob(page.videoId, request), "Sending…");
      if (page.signal.aborted) return;
      submittedJob = job.jobId;
      showProgress({ status: "Processing", times: job.times, jobId: job.jobId });
      announce(`Taking ${job.times.length} snapshots.`);
      page.kick();
    } catch (error) {
      setSlot(result, errorBox(error, "The snapshots were not requested"));
    }
  }

  function showProgress(job) {
    const n = job.times.length;
    if (job.status === "Processing") {
      replaceChildren(progress, h("p", { class: "hint" }, spinner("Taking snapshots"), ` Taking ${n} snapshot${n === 1 ? "" : "s"}… this updates by itself.`));
    } else if (job.status === "Failed") {
      replaceChildren(progress, errorBox(job.error ?? { code: "Job.Failed", message: "The snapshot job failed." }, "The snapshots could not be taken"));
    } else {
      replaceChildren(progress, h("p", { class: "hint ok", dataset: { jobId: job.jobId } }, `${n} new snapshot${n === 1 ? "" : "s"} taken.`));
    }
    progress.dataset.status = job.status;
  }

  function update(fresh) {
    const job = fresh.snapshotJob;
    submit.disabled = fresh.status !== "Normal";
    const key = job ? `${job.jobId}:${job.status}` : "none";
    if (key === shownKey) return;
    shownKey = key;
    // A job from here or still running: its progress and outcome. An old finished one: nothing.
    if (!job || (job.status !== "Processing" && job.jobId !== submittedJob)) return;
    showProgress(job);
    if (job.jobId === submittedJob && job.status === "Done") announce(`${job.times.length} new snapshots taken.`);
  }

  return { element, update };
}
