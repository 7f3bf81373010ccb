// One item's result in a many-at-once call (batch update, batch delete): a badge, and the code
// and message when it failed, in the same words wherever the console shows them.

import { h, replaceChildren } from "./dom.js";

const RESULTS = {
  pending: ["busy", "Applying…"],
  deleting: ["busy", "Deleting…"],
  updated: ["ok", "Updated"],
  deleted: ["ok", "Deleted"],
  unchanged: ["info", "No changes"],
  missing: ["bad", "Not found"],
  forbidden: ["bad", "Forbidden"],
  failed: ["bad", "Failed"],
};

/** Show `kind` (a key of RESULTS) in `slot`; `detail` ({code, message}) for a failure. */
export function showResult(slot, kind, detail) {
  const [tone, label] = RESULTS[kind];
  slot.dataset.result = kind;
  replaceChildren(
    slot,
    h("span", { class: `badge badge-${tone}` }, label),
    detail ? h("p", { class: "batch-error" }, h("code", { class: "error-code" }, detail.code), " ", detail.message) : null,
  );
}

/**
 * Send `items` `batchLimit` at a time through `send(chunk)`, whose answer names each id as
 * done (`answer[done]`: "updated", "deleted"), not found, forbidden or failed; `show(id, kind,
 * detail)` hears each id's result (a refused call fails its whole chunk), `afterChunk(answer)`
 * each answer. Resolves to the counts: {done, missing, forbidden, failed}.
 */
export async function sendInBatches({ items, idOf, batchLimit, send, done, show, afterChunk }) {
  const counts = { done: 0, missing: 0, forbidden: 0, failed: 0 };
  for (let start = 0; start < items.length; start += batchLimit) {
    const chunk = items.slice(start, start + batchLimit);
    let answer;
    try {
      answer = await send(chunk);
    } catch (error) {
      for (const item of chunk) show(idOf(item), "failed", error);
      counts.failed += chunk.length;
      continue;
    }
    for (const id of answer[done]) show(id, done);
    for (const id of answer.nonExistVideoIds) show(id, "missing");
    for (const id of answer.forbiddenVideoIds) show(id, "forbidden");
    for (const failure of answer.failed) show(failure.videoId, "failed", failure);
    counts.done += answer[done].length;
    counts.missing += answer.nonExistVideoIds.length;
    counts.forbidden += answer.forbiddenVideoIds.length;
    counts.failed += answer.failed.length;
    afterChunk?.(answer);
  }
  return counts;
}

/** "3 updated, 1 not found." from sendInBatches' counts. */
export function countsText(counts, doneLabel) {
  const parts = [`${counts.done} ${doneLabel}`];
  if (counts.missing) parts.push(`${counts.missing} not found`);
  if (counts.forbidden) parts.push(`${counts.forbidden} forbidden`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return `${parts.join(", ")}.`;
}
