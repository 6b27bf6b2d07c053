//! The configurator's page: the seller's choices, the live preview (the real element, its
//! attributes and custom properties kept to the choice) and the snippet with its Copy button.

use crate::choice::{Choice, Offer, Property};
use crate::snippet::{snippet, Pinned};
use crate::words::{self, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;
use wasm_bindgen::JsCast;

/// A language's own name, for the language control.
fn language_name(tag: &str) -> &str {
    match tag {
        "en" => "English",
        "ru" => "Русский",
        "zh" => "中文",
        other => other,
    }
}

/// A text control that changes the choice when the seller leaves it (not on every key: each
/// change of an attribute is a new lookup in the preview).
fn text_field(
    choice: RwSignal<Choice>,
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    read: fn(&Choice) -> String,
    write: fn(&mut Choice, String),
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input type="text" id=id autocomplete="off" spellcheck="false"
            prop:value=move || choice.with(read)
            on:change=move |event| choice.update(|choice| write(choice, event_target_value(&event)))/>
        <p class="cfg__hint">{hint}</p>
    }
}

/// A brand property's control: a colour picker, or the radius in px.
fn property_field(lang: Lang, choice: RwSignal<Choice>, property: Property) -> impl IntoView {
    let id = format!("cfg{}", property.name);
    let name = property.name.clone();
    let set = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        let name = name.clone();
        choice.update(move |choice| {
            choice.properties.retain(|(known, _)| *known != name);
            choice.properties.push((name, value));
        });
    };
    let default = if property.colour {
        property.default.clone()
    } else {
        property.default.trim_end_matches("px").to_owned()
    };
    let kind = if property.colour { "color" } else { "number" };
    view! {
        <div class="cfg__row">
            <label for=id.clone()>{words::property(lang, &property.name, &property.description)}<br/><code>{property.name.clone()}</code></label>
            <input type=kind id=id value=default min="0" max="64" on:input=set/>
        </div>
    }
}

/// Keeps the preview's element to the choice: its attributes (only those that changed, as each
/// change is a new lookup) and the brand's properties, set on its style through the CSSOM,
/// which a strict policy allows.
fn keep_preview(holder: &web_sys::HtmlElement, chosen: &Choice, offer: &Offer) {
    let Some(document) = holder.owner_document() else {
        return;
    };
    let widget = match holder.first_element_child() {
        Some(widget) => widget,
        None => {
            let Ok(widget) = document.create_element("trackline-widget") else {
                return;
            };
            widget.set_id("cfg-preview-widget");
            let _ = holder.append_child(&widget);
            widget
        }
    };
    let attributes = chosen.attributes();
    for name in offer.attributes.iter().map(String::as_str) {
        match attributes.iter().find(|(known, _)| *known == name) {
            Some((_, value)) if widget.get_attribute(name).as_deref() != Some(value) => {
                let _ = widget.set_attribute(name, value);
            }
            Some(_) => {}
            None if widget.has_attribute(name) => {
                let _ = widget.remove_attribute(name);
            }
            None => {}
        }
    }
    let Some(style) = widget.dyn_ref::<web_sys::HtmlElement>().map(|w| w.style()) else {
        return;
    };
    let styles = chosen.styles(offer);
    for property in &offer.properties {
        match styles.iter().find(|(name, _)| *name == property.name) {
            Some((name, value)) => {
                let _ = style.set_property(name, value);
            }
            None => {
                let _ = style.remove_property(&property.name);
            }
        }
    }
}

/// The configurator: choices on one side, the preview and the snippet on the other.
#[component]
pub fn Configurator(
    /// This server's origin, where the snippet's loader comes from.
    origin: String,
    /// The pinned loader, once read.
    pinned: ReadSignal<Option<Pinned>>,
    /// The seller's language.
    lang: Lang,
    /// The shop handle to start with (the console opens it with the seller's).
    #[prop(optional)]
    shop: String,
) -> impl IntoView {
    let offer = StoredValue::new(Offer::of_element());
    let choice = RwSignal::new(Choice {
        number: "RA100000048RU".into(),
        shop,
        ..Choice::default()
    });
    let origin = StoredValue::new(origin);
    let text = Memo::new(move |_| {
        snippet(
            &origin.get_value(),
            pinned.get().as_ref(),
            &choice.get(),
            &offer.get_value(),
        )
    });
    let preview = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let chosen = choice.get();
        if let Some(holder) = preview.get() {
            offer.with_value(|offer| keep_preview(&holder, &chosen, offer));
        }
    });
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.get_untracked();
        spawn_local(async move {
            // Where the clipboard is refused the text is still on screen to copy by hand.
            copied.set(trackline::clipboard::copy(&text).await.is_ok());
        });
    };
    let languages = offer.with_value(|offer| offer.languages.clone());
    let themes = offer.with_value(|offer| offer.themes.clone());
    let properties = offer.with_value(|offer| offer.properties.clone());

    view! {
        <h1>{t(lang, Word::Title)}</h1>
        <div class="cfg__grid">
            <form class="cfg__controls" on:submit=|event| event.prevent_default()>
                <fieldset>
                    <legend>{t(lang, Word::Source)}</legend>
                    {text_field(choice, "cfg-shop", t(lang, Word::Shop), t(lang, Word::ShopHint),
                        |c| c.shop.clone(), |c, v| c.shop = v)}
                    {text_field(choice, "cfg-endpoint", t(lang, Word::Endpoint), t(lang, Word::EndpointHint),
                        |c| c.endpoint.clone(), |c, v| c.endpoint = v)}
                    {text_field(choice, "cfg-number", t(lang, Word::Number), t(lang, Word::NumberHint),
                        |c| c.number.clone(), |c, v| c.number = v)}
                </fieldset>
                <fieldset>
                    <legend>{t(lang, Word::Looks)}</legend>
                    <label for="cfg-lang">{t(lang, Word::Language)}</label>
                    <select id="cfg-lang" on:change=move |event| choice.update(|c| c.lang = event_target_value(&event))>
                        <option value="">{t(lang, Word::BuyersBrowser)}</option>
                        {languages.into_iter().map(|tag| view! {
                            <option value=tag.clone()>{language_name(&tag).to_owned()}</option>
                        }).collect_view()}
                    </select>
                    <label for="cfg-theme">{t(lang, Word::Theme)}</label>
                    <select id="cfg-theme" on:change=move |event| choice.update(|c| c.theme = event_target_value(&event))>
                        {themes.into_iter().map(|theme| {
                            let selected = theme == "auto";
                            view! { <option value=theme.clone() selected=selected>{words::theme(lang, &theme).to_owned()}</option> }
                        }).collect_view()}
                    </select>
                    <div class="cfg__check">
                        <input type="checkbox" id="cfg-compact"
                            on:change=move |event| choice.update(|c| c.compact = event_target_checked(&event))/>
                        <label for="cfg-compact">{t(lang, Word::Compact)}</label>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t(lang, Word::Brand)}</legend>
                    {properties.into_iter().map(|property| property_field(lang, choice, property)).collect_view()}
                    <p class="cfg__hint">{t(lang, Word::BrandHint)}</p>
                </fieldset>
            </form>
            <section class="cfg__result" aria-labelledby="cfg-snippet-title">
                <h2 id="cfg-snippet-title">{t(lang, Word::Snippet)}</h2>
                <pre data-testid="snippet"><code>{move || text.get()}</code></pre>
                <button type="button" data-testid="copy" on:click=copy>
                    {move || t(lang, if copied.get() { Word::Copied } else { Word::Copy })}
                </button>
                {move || text.with(|text| text.starts_with("<link")).then(|| view! {
                    <p class="cfg__hint" data-testid="preload-hint">{t(lang, Word::PreloadHint)}</p>
                })}
                <p class="cfg__hint">{t(lang, Word::SnippetHint)}" "<a href="/docs/widget/">{t(lang, Word::Reference)}</a></p>
                <h2>{t(lang, Word::Preview)}</h2>
                <div class="cfg__preview" data-testid="preview" node_ref=preview></div>
            </section>
        </div>
    }
}
