// Small progressive enhancements; every page works without this file.
"use strict";

// "/" jumps to the customer search from anywhere, as in most search-first tools.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
  const search = document.querySelector("[data-shortcut='/']");
  if (search) {
    event.preventDefault();
    search.focus();
  }
});

// Opening the walk-in panel puts the cursor in its name field.
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (details instanceof HTMLDetailsElement && details.open && details.classList.contains("quick-add")) {
    const input = details.querySelector("input[name='name']");
    if (input) input.focus();
  }
}, true);
