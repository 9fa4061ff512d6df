// The referrer picker of the customer form: Enter picks the first match instead of submitting
// the form, and the arrow key moves into the list. Without this file the buttons still work.
"use strict";

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-search")) return;
  const options = input.parentElement.querySelectorAll(".picker-option");
  if (event.key === "Enter") {
    event.preventDefault();
    if (options.length) options[0].click();
  } else if (event.key === "ArrowDown" && options.length) {
    event.preventDefault();
    options[0].focus();
  }
});
