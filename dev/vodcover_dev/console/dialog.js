// A confirmation dialog: a real <dialog> shown modally, so focus stays inside it, Escape
// cancels and the page behind it is inert; focus goes back where it was when it closes.

import { errorBox, h, setSlot } from "./dom.js";

/**
 * Ask before `action` runs. The dialog names what it is about (`title`, `body`), offers Cancel
 * (focused first: the safe answer) and `confirmLabel`. While `action` runs both buttons wait
 * and Escape does nothing; when it throws, its error (code and message) shows in the dialog,
 * which stays open for another try or Cancel. With `review`, the dialog stays open after
 * `action` with a single Close button, for results shown in `body`.
 * Resolves to action's result, or null when cancelled.
 */
export function confirmDialog({ title, body, confirmLabel, busyLabel, action, review = false, id }) {
  const opener = document.activeElement;
  const errorSlot = h("div", { class: "dialog-error" });
  const cancel = h("button", { type: "button", class: "button", autofocus: true }, "Cancel");
  const confirm = h("button", { type: "button", class: "button button-danger" }, confirmLabel);
  const dialog = h(
    "dialog",
    { class: "dialog", id, "aria-labelledby": "dialog-title", "aria-describedby": "dialog-body" },
    h("h2", { id: "dialog-title", class: "dialog-title" }, title),
    h("div", { id: "dialog-body", class: "dialog-body" }, body),
    errorSlot,
    h("div", { class: "dialog-actions" }, cancel, confirm),
  );
  let working = false;
  let outcome = null;

  return new Promise((resolve) => {
    const finish = () => {
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(outcome);
    };
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // Escape: close the same way as Cancel, unless busy
      if (!working) finish();
    });
    cancel.addEventListener("click", finish);
    confirm.addEventListener("click", async () => {
      setSlot(errorSlot, null);
      working = true;
      cancel.disabled = confirm.disabled = true;
      dialog.setAttribute("aria-busy", "true");
      const label = confirm.textContent;
      confirm.textContent = busyLabel ?? label;
      let failed = false;
      try {
        outcome = await action();
      } catch (error) {
        failed = true;
        setSlot(errorSlot, errorBox(error, `${label} did not work`));
      }
      working = false;
      cancel.disabled = confirm.disabled = false;
      dialog.removeAttribute("aria-busy");
      confirm.textContent = label;
      if (failed) return confirm.focus();
      if (!review) return finish();
      confirm.remove();
      cancel.textContent = "Close";
      cancel.focus();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
