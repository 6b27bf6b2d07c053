// The reference page's live examples (/docs/widget): the events of one widget written as they
// come, and the methods of another called by buttons. Which events there are, the page says,
// from the manifest it was made from.
const heard = document.getElementById("heard");
const names = JSON.parse(heard?.dataset.events ?? "[]");
const told = [];
for (const name of names) {
  document.getElementById("events-example")?.addEventListener(name, (event) => {
    told.push(`${name} ${JSON.stringify(event.detail)}`);
    heard.textContent = told.slice(-4).join("\n");
  });
}

await customElements.whenDefined("trackline-widget");
const widget = document.getElementById("methods-example");
document.getElementById("lookup")?.addEventListener("click", (event) => {
  widget.lookup(event.currentTarget.dataset.number);
});
document.getElementById("refresh")?.addEventListener("click", () => widget.refresh());
