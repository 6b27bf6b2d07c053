// trackline loader: defines <trackline-widget> and loads the widget's wasm once,
// lazily, when the first element connects. No dependencies, no inline code, no eval.
// The build (xtask/src/dist.rs) fills in the built file names and the form's words; this template is not served.
const files = { module: "@MODULE@", wasm: "@WASM@", css: "@CSS@" };
// Subresource-integrity hashes of the wasm and the stylesheet: a pinned loader pins them too.
const integrity = { wasm: "@WASM_SRI@", css: "@CSS_SRI@" };
// The form's words in each language, from locales/*.json: [title, input label, button, placeholder].
const words = /*@FORM_WORDS@*/ {};
const base = new URL(".", import.meta.url);
const attributes = ["endpoint", "shop", "number", "lang", "theme", "compact"];
let widget;

function load() {
  widget ??= import(new URL(files.module, base).href).then(async (module) => {
    const wasm = fetch(new URL(files.wasm, base), { integrity: integrity.wasm });
    await module.default({ module_or_path: wasm });
    return module;
  });
  return widget;
}

// The element's language as the widget will pick it: the attribute, else the browser's first known.
function language(element) {
  const known = (tag) => (tag ?? "").toLowerCase().split("-")[0];
  const preferred = [element.getAttribute("lang"), ...navigator.languages].map(known);
  return preferred.find((tag) => tag in words) ?? "en";
}

// The widget's own form (components/search_form.rs; a component test holds the two together),
// drawn at once so the buyer can type while the wasm loads: `text` is [title, label, button, placeholder].
export function drawForm(text, value) {
  const [title, label, button, placeholder] = text;
  const make = (tag, props, attributes, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const [name, attribute] of Object.entries(attributes)) node.setAttribute(name, attribute);
    node.append(...children);
    return node;
  };
  const input = make("input", {
    id: "tl-number", className: "tl-form__input", name: "n", type: "text", autocomplete: "off",
    spellcheck: false, enterKeyHint: "search", maxLength: 64, placeholder, value,
  }, { part: "input", inputmode: "text", autocapitalize: "characters", "aria-describedby": "tl-number-hint" });
  const form = make("form", { className: "tl-form", method: "get", noValidate: true }, { part: "form", role: "search" },
    make("label", { className: "tl-form__label", htmlFor: "tl-number" }, {}, label),
    make("div", { className: "tl-form__row" }, {}, input,
      make("button", { className: "tl-form__button", type: "submit" }, { part: "button" }, button)),
    make("p", { id: "tl-number-hint", className: "tl-form__hint" }, { "aria-live": "polite" }));
  const widget = make("div", { className: "tl-widget" }, {}, make("h1", { className: "tl-widget__title" }, {}, title), form);
  return { widget, form, input };
}

// Draws the form in the element's shadow root, in its language; Track pressed before the wasm is remembered.
function drawFormIn(element) {
  const lang = language(element);
  const { widget, form, input } = drawForm(words[lang], element.getAttribute("number") ?? "");
  // Pressing Track before the wasm arrives is remembered and looked up as soon as it does.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    element.pending = input.value;
  });
  widget.lang = lang;
  widget.dataset.theme = element.getAttribute("theme") ?? "auto";
  element.container.replaceChildren(widget);
  element.draft = input;
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
      if (!(this.hasAttribute("compact") && this.hasAttribute("number"))) drawFormIn(this);
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
    // What the buyer typed or submitted into the drawn form carries over, focus included.
    const draft = this.draft;
    this.draft = undefined;
    const pending = this.pending;
    this.pending = undefined;
    const typed = draft?.value || undefined;
    const focused = draft !== undefined && this.shadowRoot.activeElement === draft;
    this.container.replaceChildren();
    const attr = (name) => this.getAttribute(name) ?? undefined;
    // Without an endpoint, the widget asks the server this loader came from (for the shop given).
    this.handle = module.mountWidget(this.container, {
      endpoint: attr("endpoint"), shop: attr("shop"), server: base.origin, lang: attr("lang"),
      number: pending ?? attr("number"), theme: attr("theme"), compact: this.hasAttribute("compact"),
      languages: [...navigator.languages], draft: typed, focus: focused,
    });
  }
}

if (!customElements.get("trackline-widget")) customElements.define("trackline-widget", TracklineWidget);
