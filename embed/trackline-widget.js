// trackline loader: defines <trackline-widget> and loads the widget's wasm once,
// lazily, when the first element connects. No dependencies, no inline code, no eval.
// scripts/write-loader fills in the built file names; this template is not served.
const files = { module: "@MODULE@", wasm: "@WASM@", css: "@CSS@" };
// Subresource-integrity hashes of the wasm and the stylesheet: a pinned loader pins them too.
const integrity = { wasm: "@WASM_SRI@", css: "@CSS_SRI@" };
const base = new URL(".", import.meta.url);
const attributes = ["endpoint", "number", "lang", "theme", "compact"];
let widget;

function load() {
  widget ??= import(new URL(files.module, base).href).then(async (module) => {
    const wasm = fetch(new URL(files.wasm, base), { integrity: integrity.wasm });
    await module.default({ module_or_path: wasm });
    return module;
  });
  return widget;
}

class TracklineWidget extends HTMLElement {
  static observedAttributes = attributes;

  connectedCallback() {
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: "open" });
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.crossOrigin = "anonymous";
      style.integrity = integrity.css;
      style.href = new URL(files.css, base).href;
      this.container = document.createElement("div");
      this.container.setAttribute("part", "container");
      root.append(style, this.container);
    }
    this.render();
  }

  disconnectedCallback() {
    this.generation = (this.generation ?? 0) + 1;
    this.handle?.unmount();
    this.handle = undefined;
  }

  attributeChangedCallback() {
    if (this.isConnected && this.container) this.render();
  }

  async render() {
    // Attribute changes may arrive while the wasm loads: only the newest render mounts.
    const generation = (this.generation = (this.generation ?? 0) + 1);
    const module = await load();
    if (generation !== this.generation) return;
    this.handle?.unmount();
    const attr = (name) => this.getAttribute(name) ?? undefined;
    // The endpoint defaults to the server this loader came from.
    const endpoint = attr("endpoint") ?? `${base.origin}/api/v1/track/{number}`;
    this.handle = module.mountWidget(this.container, endpoint, attr("lang"), attr("number"), attr("theme"), this.hasAttribute("compact"), [...navigator.languages]);
  }
}

if (!customElements.get("trackline-widget")) customElements.define("trackline-widget", TracklineWidget);
