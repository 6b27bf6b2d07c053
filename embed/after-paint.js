// Put by the build (xtask/src/dist.rs) in place of trunk's static import of the glue: on a page
// rendered for a linked number, whose status is on screen already, the widget's code comes
// after that paint, with the integrity the form page's preloads check.
const glue = "@GLUE@";
if (document.querySelector("[data-rendered][data-number]")) {
  // Painted as the browser reports it (the frame shown, not only drawn); where it
  // reports no paints, a task after the next frame.
  await new Promise((painted) => {
    if (!globalThis.PerformanceObserver?.supportedEntryTypes?.includes("paint")) {
      requestAnimationFrame(() => setTimeout(painted));
      return;
    }
    new PerformanceObserver((entries, observer) => {
      if (!entries.getEntriesByName("first-contentful-paint").length) return;
      observer.disconnect();
      painted();
    }).observe({ type: "paint", buffered: true });
  });
  document.head.append(Object.assign(document.createElement("link"), {
    rel: "modulepreload", href: glue, integrity: "@GLUE_SRI@", crossOrigin: "anonymous",
  }));
  // The browser's first date formatter loads its locale data (60 ms on a slowed phone): paid in
  // a task of its own while the code downloads, not inside the wasm's takeover of the page.
  setTimeout(() => new Intl.DateTimeFormat());
}
// Asked beside the glue rather than after it: a round trip less before the widget takes over.
const wasmResponse = fetch("@WASM@", { integrity: "@WASM_SRI@" });
const bindings = await import(glue);
const init = bindings.default;
