// The referrer pickers (the customer form's, the walk-in panel's): Enter picks the first match
// instead of submitting the form, and the arrow key moves into the list. Without this file the
// buttons still work.
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

// Picking who sent a customer also says how they came: "came to us through" follows when it
// still shows what the page was drawn with (the default "walk-in" for a new customer). The
// form refuses a referrer beside another channel (web/forms.py); a channel someone chose on
// purpose is left for that message to question.
document.addEventListener("htmx:afterSettle", (event) => {
  const picker = event.target.closest?.(".referrer-picker");
  if (!picker || !picker.querySelector("[data-testid=referrer-chosen]")) return;
  const channel = picker.closest("form")?.elements.namedItem("acquisition_channel");
  if (!(channel instanceof HTMLSelectElement)) return;
  const drawn = Array.from(channel.options).find((option) => option.defaultSelected);
  if (!drawn || channel.value === drawn.value) channel.value = "referral";
});
