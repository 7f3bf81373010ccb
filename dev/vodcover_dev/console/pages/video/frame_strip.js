// A strip of pickable frames (snapshots, smart candidates) as radio buttons: arrow keys move
// between them, a screen reader hears each one's time, tags and whether it is the cover.

import { api } from "../../api.js";
import { h } from "../../dom.js";

export function frameStrip({ name, kind, legend, items, describe, current, badge }) {
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

/**
 * A strip and its "Set as cover" button, which sets the picked item's index as `field`
 * (coverSnapshot, coverCandidate) through page.changeCover; enabled while something is picked
 * and the video's status allows a cover change. `message(item)` says what was done.
 */
export function coverPicker(page, result, { field, message, ...stripOptions }) {
  const strip = frameStrip(stripOptions);
  const button = h("button", { type: "button", class: "button button-primary" }, "Set as cover");
  const refresh = () => {
    button.disabled = !(strip.selected() && page.canChangeCover());
  };
  button.addEventListener("click", () => {
    const item = strip.selected();
    page.changeCover(button, result, () => api.updateVideo(page.videoId, { [field]: item.index }), message(item));
  });
  strip.onChange(refresh);
  refresh();
  return { strip, actions: h("div", { class: "panel-actions" }, button), refresh };
}
