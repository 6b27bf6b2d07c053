//! The import page (staff and owners): a file picked (or dropped), its preview (what each row
//! would create, change or leave, and why a row is refused), the columns mapped by hand and
//! previewed again, then applied on the server with a progress bar polled on a bounded,
//! growing schedule. The job is the server's: the seller may leave the page.

use super::{alert, reported, Gate, Problem};
use crate::api::{self, ApiError};
use crate::import::{self, ImportError, Preview, Progress, FIELDS};
use crate::route::Place;
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;
use wasm_bindgen::JsValue;

/// The most rows of one kind the preview lists (the counts say how many in all).
const SHOWN: usize = 200;

/// A file the seller picked: the browser's `File`, its name and the type it is sent with.
#[derive(Clone)]
struct Picked {
    file: JsValue,
    name: String,
    kind: &'static str,
}

/// The first file of a `FileList` (an input's `files`, a drop's `dataTransfer.files`).
fn first_file(list: &JsValue) -> Option<Picked> {
    let file = js_sys::Reflect::get_u32(list, 0).ok()?;
    if file.is_undefined() || file.is_null() {
        return None;
    }
    let text = |key: &str| {
        js_sys::Reflect::get(&file, &key.into())
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    };
    let name: String = text("name").chars().take(200).collect();
    let kind = import::content_type(&name, &text("type"));
    Some(Picked { file, name, kind })
}

/// `object[key]`, or undefined.
fn property(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Waits `ms` milliseconds.
async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let wait = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, wait);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The signals the page's parts share.
#[derive(Clone, Copy)]
struct State {
    lang: Lang,
    gate: RwSignal<Gate>,
    picked: StoredValue<Option<Picked>, LocalStorage>,
    file_name: RwSignal<String>,
    uploading: RwSignal<bool>,
    file_error: RwSignal<Option<String>>,
    problem: RwSignal<Option<Problem>>,
    preview: RwSignal<Option<Preview>>,
    chosen: RwSignal<Vec<Option<String>>>,
    progress: RwSignal<Option<Progress>>,
    polling: RwSignal<bool>,
    gave_up: RwSignal<bool>,
}

impl State {
    /// Sends the picked file, with `mapping` (empty for the server's guess).
    fn send(self, mapping: String) {
        let Some(picked) = self.picked.get_value() else {
            return;
        };
        if self.uploading.get_untracked() {
            return;
        }
        self.uploading.set(true);
        self.file_error.set(None);
        self.problem.set(None);
        spawn_local(async move {
            let answer = api::preview_import(&picked.file, picked.kind, &mapping).await;
            // The page may have been left meanwhile: then nothing is set.
            if self.uploading.try_set(false).is_some() {
                return;
            }
            match answer {
                Ok(preview) => {
                    self.chosen.set(import::mapping_of(&preview.columns));
                    self.progress.set(None);
                    self.gave_up.set(false);
                    self.preview.set(Some(preview));
                }
                Err(ImportError::File(code)) => {
                    self.preview.set(None);
                    self.file_error.set(Some(code));
                }
                Err(ImportError::Api(error)) => {
                    self.problem.set(Some(reported(self.gate, error)));
                }
            }
        });
    }

    /// A file picked or dropped: previewed at once with the server's guess.
    fn pick(self, list: &JsValue) {
        let Some(picked) = first_file(list) else {
            return;
        };
        self.file_name.set(picked.name.clone());
        self.picked.set_value(Some(picked));
        self.preview.set(None);
        self.progress.set(None);
        self.send(String::new());
    }

    /// Applies the preview, then polls its progress until it ends or the schedule runs out.
    fn apply(self) {
        let Some(id) = self
            .preview
            .with_untracked(|p| p.as_ref().map(|p| p.id.clone()))
        else {
            return;
        };
        if self.polling.get_untracked() {
            return;
        }
        self.polling.set(true);
        self.gave_up.set(false);
        self.problem.set(None);
        spawn_local(async move {
            let first = api::apply_import(&id).await;
            match first {
                Ok(progress) => {
                    let ended = progress.ended();
                    if self.progress.try_set(Some(progress)).is_some() {
                        return;
                    }
                    if !ended {
                        self.poll(&id).await;
                    }
                }
                // The seller's imports are applied one at a time.
                Err(ApiError::Conflict) => {
                    let _ = self
                        .problem
                        .try_set(Some(Problem::Said(Word::ImportRunning)));
                }
                Err(error) => {
                    let _ = self.problem.try_set(Some(reported(self.gate, error)));
                }
            }
            let _ = self.polling.try_set(false);
        });
    }

    /// Asks how far the job is on `import::poll_wait_ms`'s schedule; stops when it ends, when
    /// the page is left (its signals gone), or after `import::MAX_POLLS` asks.
    async fn poll(self, id: &str) {
        let mut poll = 0;
        while let Some(wait) = import::poll_wait_ms(poll) {
            sleep(wait).await;
            poll += 1;
            match api::import_progress(id).await {
                Ok(progress) => {
                    let ended = progress.ended();
                    if self.progress.try_set(Some(progress)).is_some() || ended {
                        return;
                    }
                }
                // A moment without the network or the server: the next ask may find it.
                Err(ApiError::Offline | ApiError::Server(_) | ApiError::TooMany(_)) => {}
                Err(error) => {
                    let _ = self.problem.try_set(Some(reported(self.gate, error)));
                    return;
                }
            }
        }
        let _ = self.gave_up.try_set(true);
    }

    /// Back to a fresh page, the picker's file forgotten.
    fn reset(self) {
        self.picked.set_value(None);
        self.file_name.set(String::new());
        self.preview.set(None);
        self.progress.set(None);
        self.file_error.set(None);
        self.gave_up.set(false);
    }
}

/// The picker, with a drop zone on pointers that drag.
fn picker(state: State) -> impl IntoView {
    let lang = state.lang;
    let dragging = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <div class="con__drop" data-testid="drop"
            class:con__dragging=move || dragging.get()
            on:dragover=move |event: leptos::ev::DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |event: leptos::ev::DragEvent| {
                event.prevent_default();
                dragging.set(false);
                let files = property(&property(&event, "dataTransfer"), "files");
                state.pick(&files);
            }>
            // The browser's own picker names its button in the browser's language ("Choose File"
            // on a Chinese page): the visible control is the page's label, styled as a button,
            // around the input kept for keyboards and screen readers but drawn by nobody.
            <label class="con__pick" for="con-import-file">
                <input id="con-import-file" class="con__offscreen" type="file" node_ref=input aria-describedby="con-import-hint"
                    accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    disabled=move || state.uploading.get() || state.polling.get()
                    on:change=move |event| {
                        let target = event.target().map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
                        state.pick(&property(&target, "files"));
                        // The same file picked again (fixed and saved) is a change too.
                        if let Some(input) = input.get_untracked() {
                            input.set_value("");
                        }
                    }/>
                <span class="con__pick-button">{t(lang, Word::ChooseFile)}</span>
                <span class="con__pick-name" data-testid="file-name">{move || {
                    let name = state.file_name.get();
                    if name.is_empty() {
                        t(lang, Word::NoFileChosen).to_owned()
                    } else {
                        words::fill(lang, Word::FileChosen, &[("name", &name)])
                    }
                }}</span>
            </label>
            <p class="con__hint con__wide-only" aria-hidden="true">{t(lang, Word::DropFile)}</p>
            <p class="con__hint" id="con-import-hint">{t(lang, Word::ImportHint)}</p>
        </div>
        <p role="status" data-testid="uploading">{move || state.uploading.get().then(|| t(lang, Word::Uploading))}</p>
        {move || state.file_error.get().map(|code| view! {
            <div class="con__card" role="alert" data-testid="file-error">
                <p class="con__error">{import::file_error_text(lang, &code)}</p>
                <p>{t(lang, Word::NothingWritten)}</p>
            </div>
        })}
    }
}

/// One kind of row, folded under its count; none for a kind no row is of.
fn kind_section(
    count_word: Word,
    count: usize,
    open: bool,
    lang: Lang,
    items: Vec<String>,
) -> Option<impl IntoView> {
    if count == 0 {
        return None;
    }
    let cut = (count > items.len())
        .then(|| view! { <p class="con__muted">{words::fill(lang, Word::FirstShown, &[("count", &items.len().to_string())])}</p> });
    let summary = words::fill(lang, count_word, &[("count", &count.to_string())]);
    let list = items
        .into_iter()
        .map(|item| view! { <li>{item}</li> })
        .collect_view();
    Some(view! {
        <details class="con__kind" open=open>
            <summary>{summary}</summary>
            <ul class="con__items">{list}</ul>
            {cut}
        </details>
    })
}

/// What the import would do: the counts, then each kind of row.
fn preview_view(lang: Lang, preview: &Preview) -> impl IntoView {
    let counts = preview.counts;
    let line_ref = |line: usize, reference: &str| {
        words::fill(
            lang,
            Word::LineReference,
            &[("line", &line.to_string()), ("reference", reference)],
        )
    };
    let refused = preview
        .refused
        .iter()
        .take(SHOWN)
        .map(|row| {
            format!(
                "{}: {}",
                words::fill(lang, Word::LineNumber, &[("line", &row.line.to_string())]),
                import::reason_text(lang, &row.refusal)
            )
        })
        .collect();
    let created = preview
        .created
        .iter()
        .take(SHOWN)
        .map(|row| line_ref(row.line, &row.reference))
        .collect();
    let changed = preview
        .changed
        .iter()
        .take(SHOWN)
        .map(|row| {
            let fields = row
                .changes
                .iter()
                .map(|field| import::field_text(lang, field))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{} — {}",
                line_ref(row.line, &row.reference),
                words::fill(lang, Word::WhatChanges, &[("fields", &fields)])
            )
        })
        .collect();
    let unchanged = preview
        .unchanged
        .iter()
        .take(SHOWN)
        .map(|row| line_ref(row.line, &row.reference))
        .collect();
    let repeated = preview
        .repeated
        .iter()
        .take(SHOWN)
        .map(|row| {
            words::fill(
                lang,
                Word::LineRepeats,
                &[
                    ("line", &row.line.to_string()),
                    ("first", &row.first_line.to_string()),
                ],
            )
        })
        .collect();
    view! {
        <section class="con__card" aria-labelledby="con-preview" data-testid="preview">
            <h2 id="con-preview">{t(lang, Word::PreviewTitle)}</h2>
            {kind_section(Word::CountRefused, counts.refused, counts.refused > 0, lang, refused)}
            {kind_section(Word::CountCreated, counts.created, false, lang, created)}
            {kind_section(Word::CountChanged, counts.changed, counts.changed > 0, lang, changed)}
            {kind_section(Word::CountUnchanged, counts.unchanged, false, lang, unchanged)}
            {kind_section(Word::CountRepeated, counts.repeated, false, lang, repeated)}
        </section>
    }
}

/// The columns, a select each, and "preview again".
fn columns_form(state: State) -> impl IntoView {
    let lang = state.lang;
    let columns = state
        .preview
        .with_untracked(|p| p.as_ref().map(|p| p.columns.clone()))
        .unwrap_or_default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        state.send(import::mapping_query(&state.chosen.get_untracked()));
    };
    let rows = columns
        .into_iter()
        .map(|column| {
            let index = column.index;
            let id = format!("con-column-{index}");
            let header = if column.header.trim().is_empty() {
                format!("#{}", index + 1)
            } else {
                column.header.chars().take(100).collect()
            };
            let is = move |field: Option<&str>| {
                state
                    .chosen
                    .with(|chosen| chosen.get(index).and_then(Option::as_deref) == field)
            };
            let options = FIELDS
                .iter()
                .map(|field| {
                    let field = *field;
                    view! { <option value=field selected=move || is(Some(field))>{import::field_text(lang, field)}</option> }
                })
                .collect_view();
            view! {
                <div class="con__column">
                    <label for=id.clone()>{header}</label>
                    <select id=id data-testid="column" on:change=move |event| {
                        let value = event_target_value(&event);
                        let field = (!value.is_empty()).then_some(value);
                        state.chosen.update(|chosen| import::choose(chosen, index, field));
                    }>
                        <option value="" selected=move || is(None)>{t(lang, Word::NotImported)}</option>
                        {options}
                    </select>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="con__card" aria-labelledby="con-columns">
            <h2 id="con-columns">{t(lang, Word::ColumnsTitle)}</h2>
            <p class="con__hint">{t(lang, Word::ColumnsHint)}</p>
            <form class="con__form" on:submit=submit>
                <div class="con__columns">{rows}</div>
                <button type="submit" data-testid="preview-again"
                    disabled=move || state.uploading.get() || state.polling.get()>{t(lang, Word::PreviewAgain)}</button>
            </form>
        </section>
    }
}

/// The apply button, then the progress and what it ended in.
fn apply_view(state: State) -> impl IntoView {
    let lang = state.lang;
    let counts = state
        .preview
        .with_untracked(|p| p.as_ref().map(|p| p.counts))
        .unwrap_or_default();
    let writes = counts.writes();
    let applied = move || {
        state
            .progress
            .with(|p| p.as_ref().is_some_and(|p| p.state == "applied"))
    };
    let label = words::fill(
        lang,
        Word::ApplyImport,
        &[("count", &(counts.created + counts.changed).to_string())],
    );
    let nothing = (!writes).then(|| view! { <p class="con__muted" data-testid="nothing">{t(lang, Word::NothingToWrite)}</p> });
    let list_href = Place::Shipments {
        problems: false,
        stale: false,
    }
    .hash();
    let bar = move || {
        state.progress.get().map(|progress| {
            let total = progress.total.max(1);
            let done = progress.done.clamp(0, total);
            let said = words::fill(
                lang,
                Word::DoneOfTotal,
                &[
                    ("done", &progress.done.to_string()),
                    ("total", &progress.total.to_string()),
                ],
            );
            let end = match progress.state.as_str() {
                "applied" => Some(view! {
                    <p class="con__ok" data-testid="applied">{words::fill(lang, Word::ImportApplied, &[
                        ("done", &progress.done.to_string()),
                        ("total", &progress.total.to_string()),
                    ])}</p>
                    <p><a class="con__action" href=list_href.clone()>{t(lang, Word::OpenShipments)}</a></p>
                }.into_any()),
                "failed" => Some(view! { <p class="con__error" role="alert">{t(lang, Word::ImportFailed)}</p> }.into_any()),
                _ => None,
            };
            view! {
                <label for="con-import-progress">{t(lang, Word::ImportProgress)}</label>
                <progress id="con-import-progress" data-testid="progress" max=total value=done
                    aria-valuetext=said.clone()>{said.clone()}</progress>
                <p role="status">{said}</p>
                {end}
            }
        })
    };
    let leaving = move || {
        state
            .polling
            .get()
            .then(|| view! { <p class="con__hint">{t(lang, Word::MayLeave)}</p> })
    };
    let gave_up = move || {
        state.gave_up.get().then(|| {
            view! {
                <p role="status">{t(lang, Word::StillImporting)}</p>
                <button type="button" on:click=move |_| state.apply()>{t(lang, Word::CheckAgain)}</button>
            }
        })
    };
    view! {
        <section class="con__card" aria-label=t(lang, Word::ImportProgress)>
            {nothing}
            <button type="button" class="con__primary con__wide" data-testid="apply"
                disabled=move || !writes || state.polling.get() || applied()
                on:click=move |_| state.apply()>{label}</button>
            {bar}
            {leaving}
            {gave_up}
            <button type="button" class="con__quiet" disabled=move || state.polling.get()
                on:click=move |_| state.reset()>{t(lang, Word::AnotherFile)}</button>
        </section>
    }
}

/// The import page.
#[component]
pub fn ImportPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    let state = State {
        lang,
        gate,
        picked: StoredValue::new_local(None),
        file_name: RwSignal::new(String::new()),
        uploading: RwSignal::new(false),
        file_error: RwSignal::new(None),
        problem: RwSignal::new(None),
        preview: RwSignal::new(None),
        chosen: RwSignal::new(Vec::new()),
        progress: RwSignal::new(None),
        polling: RwSignal::new(false),
        gave_up: RwSignal::new(false),
    };
    // Drawn again only when a new preview comes: the selects keep their own state meanwhile.
    let shown = move || {
        state.preview.with(|preview| {
            preview.as_ref().map(|preview| {
                view! {
                    {preview_view(lang, preview)}
                    {apply_view(state)}
                    {columns_form(state)}
                }
            })
        })
    };
    view! {
        <h1>{t(lang, Word::ImportTitle)}</h1>
        {picker(state)}
        {alert(lang, state.problem)}
        {shown}
    }
}
