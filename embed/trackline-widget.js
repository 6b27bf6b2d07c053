// trackline loader: defines <trackline-widget> and loads the widget's wasm once,
// lazily, when the first element connects. No dependencies, no inline code, no eval.
// The build (xtask/src/dist.rs) fills in the built file names, the element's attributes, the
// server it answers to and the form's words; this template is not served.
// Subresource-integrity hashes of the wasm and the stylesheet: a pinned loader pins them too.
const integrity = { wasm: "@WASM_SRI@", css: "@CSS_SRI@" };
// The widget's stylesheet travels in this file (the build fills it in) and is adopted by each
// shadow root: a storefront's CSP then needs the widget's origin in script-src and connect-src
// only, and the styles can never fail to arrive apart from the widget.
const css = /*@CSS_TEXT@*/ "";
let sheet;
// The form's words in each language, from locales/*.json: [title, input label, button, placeholder].
const words = /*@FORM_WORDS@*/ {};
const base = new URL(".", import.meta.url);
// The reference server this loader came from: it renders an element's widget, and answers its
// lookups when the element names no endpoint. None when the loader comes from the npm package
// (a bundle or a CDN is no tracking server): an element then asks the page's own origin.
const server = /*@SERVER@*/ base.origin;
// The element's attributes and their kinds, from its description (embed/element.json): each is
// observed and has a property that reflects it.
const attributes = /*@ATTRIBUTES@*/ {};
let widget;

function load() {
  if (widget) return widget;
  // Written out, not computed, so that a bundler that meets this file (Vite, webpack, Parcel)
  // finds the glue and the wasm beside it and carries them along. The wasm is asked beside the
  // glue rather than after it: a round trip less on a slow link.
  const wasm = fetch(new URL("@WASM@", import.meta.url), { integrity: integrity.wasm });
  // Its failure is the widget's, met where the glue awaits it; not a second, unhandled one.
  wasm.catch(() => {});
  widget = import("@MODULE@").then(async (module) => {
    await module.default({ module_or_path: wasm });
    // The widgets draw or take over in a task after the wasm's start: two shorter tasks instead
    // of one long one, so a tap on the page in between is answered sooner.
    await new Promise((resolve) => setTimeout(resolve));
    return module;
  });
  // The browser's first date formatter loads its locale data (60 ms on a slowed phone): paid in
  // a task of its own while the wasm downloads, not inside the widget's first render.
  setTimeout(() => new Intl.DateTimeFormat());
  return widget;
}

// Encodes all but RFC 3986's unreserved characters, as core's url_template does.
const encode = (text) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// The URL of the widget's first lookup for these settings, as it will build it (config.rs and
// core's url_template; a component test holds the two together), so that the loader can ask
// while the wasm downloads. Only for a number already in its normal form (letters and digits,
// or an Ozon number); for any other the widget asks itself.
export function firstUrl(settings) {
  const number = settings.number?.trim() ?? "";
  if (!/^([0-9A-Z]{1,40}|[0-9]{1,20}(-[0-9]{1,10}){1,2})$/.test(number)) return undefined;
  const shop = settings.shop?.trim();
  const server = (settings.server ?? "").replace(/\/+$/, "");
  // A seller's own endpoint as given; a trackline server's lookup also hears the way in.
  if (!settings.endpoint?.trim()) {
    const path = shop ? `/api/v1/shops/${encode(shop)}/track/` : "/api/v1/track/";
    return `${server}${path}${encode(number)}?via=element`;
  }
  const template = settings.endpoint;
  return template.includes("{number}") ? template.replaceAll("{number}", encode(number))
    : `${template}${template.includes("?") ? "&" : "?"}number=${encode(number)}`;
}

// Starts the first lookup now; the widget takes its response once (`take`, tying its own abort
// signal to this request) if it builds the same URL, and otherwise it is abandoned.
function ask(url) {
  const controller = new AbortController();
  // A failure is the widget's to read, from the promise it takes: never an unhandled rejection here.
  const response = fetch(url, {
    credentials: "omit", headers: { Accept: "application/json" }, signal: controller.signal,
  });
  response.catch(() => {});
  return {
    url,
    abort: () => controller.abort(),
    take(signal) {
      signal?.addEventListener("abort", () => controller.abort());
      return response;
    },
  };
}

// The element's widget as the server this loader came from renders it (for an element that asks
// that server: no endpoint of its own), with the lookup's response inside: shown the moment it
// arrives, taken over by the wasm when that lands. One request, as the lookup alone would be.
function askRendered(element) {
  const settings = element.settings();
  // Without a `lang` of its own the server picks from the browser's `Accept-Language` (the same
  // list as `navigator.languages`), so that the URL is one an order page can name in advance.
  const params = new URLSearchParams({ n: settings.number });
  if (settings.lang) params.set("lang", settings.lang);
  if (settings.shop) params.set("shop", settings.shop);
  if (settings.theme) params.set("theme", settings.theme);
  if (settings.compact) params.set("compact", "1");
  const controller = new AbortController();
  const key = keyOf(settings);
  // "same-origin", which sends no cookies to another origin, as "omit" would: an order page's
  // `<link rel="preload" as="fetch" crossorigin>` for this URL (the configurator's snippet has
  // one) is taken only by a request of that mode, and then this one is that one.
  const shown = fetch(new URL(`widget?${params}`, base), { credentials: "same-origin", signal: controller.signal })
    .then((response) => response.text())
    .then((html) => html.startsWith("<div data-rendered") && element.rendering?.key === key && show(element, html))
    .catch(() => false);
  return { key, shown, abort: () => controller.abort() };
}

// What a rendered widget was rendered for: a change to any of it makes it stale.
const keyOf = (settings) => JSON.stringify([settings.number, settings.shop, settings.lang, settings.theme, settings.compact]);

// Puts the server's rendering in place of the drawn form, keeping what the buyer typed and the
// focus; says whether it did (not once the buyer pressed Track, nor where the page forbids it).
function show(element, html) {
  if (element.pending !== undefined || element.handle) return false;
  const draft = element.draft;
  const typed = draft?.value ?? "";
  const focused = draft !== undefined && element.shadowRoot.activeElement === draft;
  try {
    // The server's own rendering: every text in it is escaped, and nothing in it runs.
    element.container.innerHTML = html;
  } catch {
    return false; // A page enforcing Trusted Types: the wasm draws it instead.
  }
  const input = element.container.querySelector("#tl-number");
  if (input && typed && typed !== (element.getAttribute("number") ?? "")) input.value = typed;
  if (input && focused) input.focus();
  element.draft = undefined;
  // Until the wasm takes over, its forms are the loader's: never sent as the storefront's page.
  for (const form of element.container.querySelectorAll("form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (form.contains(input)) element.pending = input.value;
    });
  }
  return true;
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

// Styles a shadow root: the shared constructed stylesheet, or, in browsers without one (Safari
// before 16.4), the built stylesheet fetched with its integrity.
function style(root) {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.crossOrigin = "anonymous";
  link.integrity = integrity.css;
  link.href = new URL("@CSS@", import.meta.url).href;
  root.append(link);
}

/** `<trackline-widget>`: its attributes, their properties, `lookup()` and `refresh()`. */
export class TracklineWidgetElement extends HTMLElement {
  static observedAttributes = Object.keys(attributes);

  // Looks up a number as if the buyer typed it and pressed Track; the attributes stay.
  lookup(number) {
    const text = String(number ?? "");
    if (this.handle) {
      this.handle.lookup(text);
      return;
    }
    // Before the wasm: as if typed into the drawn form and submitted, looked up when it lands.
    this.pending = text;
    if (this.draft) this.draft.value = text;
  }

  // Asks again for the number on screen; before the wasm, its first lookup is still coming.
  refresh() {
    this.handle?.refresh();
  }

  // The element's settings for the widget, from its attributes.
  settings() {
    const attr = (name) => this.getAttribute(name) ?? undefined;
    return {
      endpoint: attr("endpoint"), shop: attr("shop"), server, lang: attr("lang"),
      number: attr("number"), theme: attr("theme"), compact: this.hasAttribute("compact"),
      languages: [...navigator.languages],
    };
  }

  connectedCallback() {
    // A property set before this class was defined sits on the element itself, hiding the
    // accessor: it goes through the accessor now, into its attribute.
    for (const name of Object.keys(attributes)) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: "open" });
      style(root);
      this.container = document.createElement("div");
      this.container.setAttribute("part", "container");
      root.append(this.container);
      if (!(this.hasAttribute("compact") && this.hasAttribute("number"))) drawFormIn(this);
    }
    // The lookup starts now, in parallel with the wasm, not after it: rendered by this loader's
    // server when the element asks that server, else the widget's own first request.
    const settings = this.settings();
    if (server && settings.number?.trim() && !settings.endpoint?.trim() && !this.handle) {
      if (this.rendering?.key !== keyOf(settings)) {
        this.rendering?.abort();
        this.rendering = askRendered(this);
      }
    } else {
      const url = firstUrl(settings);
      if (url && this.first?.url !== url) {
        this.first?.abort();
        this.first = ask(url);
      }
    }
    this.render();
  }

  disconnectedCallback() {
    this.generation = (this.generation ?? 0) + 1;
    this.first?.abort();
    this.first = undefined;
    this.rendering?.abort();
    this.rendering = undefined;
    this.handle?.unmount();
    this.handle = undefined;
  }

  attributeChangedCallback() {
    if (this.isConnected && this.container) this.render();
  }

  async render() {
    // Attribute changes may arrive while the wasm loads: only the newest render mounts.
    const generation = (this.generation = (this.generation ?? 0) + 1);
    // A rendering on its way comes first: it is the status, and the wasm would share a slow link
    // with it; the wasm then takes it over rather than races it.
    const shown = await this.rendering?.shown;
    const module = await load();
    if (generation !== this.generation) return;
    const rendering = this.rendering;
    this.rendering = undefined;
    if (shown && rendering.key === keyOf(this.settings()) && this.pending === undefined) {
      this.handle = module.mountWidget(this.container, { ...this.settings(), rendered: true });
      return;
    }
    this.handle?.unmount();
    // What the buyer typed or submitted into the drawn form carries over, focus included.
    const draft = this.draft;
    this.draft = undefined;
    const pending = this.pending;
    this.pending = undefined;
    const typed = draft?.value || undefined;
    const focused = draft !== undefined && this.shadowRoot.activeElement === draft;
    this.container.replaceChildren();
    // Without an endpoint, the widget asks the server this loader came from (for the shop given).
    const settings = { ...this.settings(), draft: typed, focus: focused };
    if (pending !== undefined) settings.number = pending;
    // The request started at connection is handed over once; the widget checks its URL.
    settings.first = this.first;
    this.first = undefined;
    this.handle = module.mountWidget(this.container, settings);
  }
}

// A property for each attribute, reflecting it (`el.number = "…"` is `number="…"`); one that
// HTMLElement has already (`lang`, "inherited" in the description) keeps its own, which
// reflects the same attribute.
for (const [name, kind] of Object.entries(attributes)) {
  if (kind === "inherited") continue;
  Object.defineProperty(TracklineWidgetElement.prototype, name, kind === "boolean" ? {
    get() { return this.hasAttribute(name); },
    set(value) { this.toggleAttribute(name, Boolean(value)); },
    configurable: true, enumerable: true,
  } : {
    get() { return this.getAttribute(name); },
    set(value) { if (value === null || value === undefined) this.removeAttribute(name); else this.setAttribute(name, String(value)); },
    configurable: true, enumerable: true,
  });
}

if (!customElements.get("trackline-widget")) customElements.define("trackline-widget", TracklineWidgetElement);
