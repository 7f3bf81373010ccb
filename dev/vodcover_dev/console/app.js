// The console shell: hash routes, navigation, focus on page change.

import { renderBatch } from "./pages/batch.js";
import { renderLibrary } from "./pages/library.js";
import { renderUpload } from "./pages/upload.js";
import { renderVideo } from "./pages/video.js";
import { h } from "./dom.js";

const ROUTES = [
  { pattern: /^#\/?$/, nav: "library", title: "Media library", render: renderLibrary },
  { pattern: /^#\/upload$/, nav: "upload", title: "Upload", render: renderUpload },
  { pattern: /^#\/videos\/([^/]+)$/, nav: "library", title: "Video", render: renderVideo },
  { pattern: /^#\/batch\/([^/]*)$/, nav: "library", title: "Batch edit", render: renderBatch },
];

let leave = null;

function route() {
  const hash = location.hash || "#/";
  if (!hash.startsWith("#/") && hash !== "#") return;
  const main = document.getElementById("main");
  if (leave) leave();
  const controller = new AbortController();
  main.replaceChildren();
  const found = ROUTES.map((candidate) => ({ candidate, match: candidate.pattern.exec(hash) })).find((r) => r.match);
  let cleanup = null;
  if (found) {
    const { candidate, match } = found;
    document.title = `${candidate.title} · vodcover`;
    markNav(candidate.nav);
    cleanup = candidate.render(main, { signal: controller.signal }, ...match.slice(1).map(decodeURIComponent));
  } else {
    document.title = "Not found · vodcover";
    markNav(null);
    main.append(
      h("h1", { tabindex: "-1" }, "Page not found"),
      h("p", {}, "Nothing lives at this address. ", h("a", { href: "#/" }, "Back to the library.")),
    );
  }
  leave = () => {
    controller.abort();
    if (typeof cleanup === "function") cleanup();
  };
  // Move focus to the new page's heading, so keyboard and screen-reader users start there.
  const heading = main.querySelector("h1");
  if (heading && document.body.dataset.ready) heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  document.body.dataset.ready = "true";
}

function markNav(current) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", route);
route();
