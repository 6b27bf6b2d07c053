// The iframe form's resize snippet, as a file because this example runs under a strict CSP.
// A storefront uses the same line with the tracking page's origin in place of location.origin.
addEventListener("message", (e) => { if (e.origin === location.origin && e.data?.type === "trackline:height") document.getElementById("trackline-frame").style.height = `${e.data.height}px`; });
