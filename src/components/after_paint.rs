//! What the buyer does not look at first, drawn just after what they do.

use leptos::prelude::*;
use std::time::Duration;

/// Renders `render` once the browser has painted what came with it, a frame later; at once
/// when `redrawn` (what it draws is on screen already).
///
/// On a slow phone the support card and the history cost as much as the status and
/// the timeline together; below the timeline they can wait a frame, and the status
/// comes that much sooner. Nothing above them moves when they arrive. A page rendered on the
/// server has them at once, and so does the widget taking that page over (hydrating), which
/// must find exactly what the server wrote. So does a status drawn again for the number on
/// screen (a refresh, the buyer's clock): there they would leave for a frame, and a buyer
/// scrolled down to them would be thrown up the page.
pub fn after_paint<V>(
    redrawn: bool,
    render: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView
where
    V: IntoView + 'static,
{
    let at_once = redrawn || crate::taking_over();
    let ready = RwSignal::new(at_once);
    if !at_once {
        // A task posted from the next animation frame runs after that frame is painted.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    // The view may be gone by then (a new lookup): nothing to do.
                    let _ = ready.try_set(true);
                },
                Duration::ZERO,
            );
        });
    }
    move || ready.get().then(&render)
}
