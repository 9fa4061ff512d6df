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

// A search box whose matches drop down as one types: the ARIA 1.2 combobox pattern, for an
// <input role="combobox" data-combobox-source="URL" data-combobox-popup="ID" aria-controls=
// "LISTBOX-ID">. The server draws the popup's inside (a listbox of role="option" items, each with
// the data-href it opens, and a last line); the arrow keys move through the options while the
// cursor stays in the box, Enter opens the one highlighted (or, with none, submits the form as
// without this script), Escape shuts the popup, a click or tap opens an option.
const COMBOBOX = "input[role='combobox'][data-combobox-source]";
const SHORTEST_QUERY = 2; // one letter matches too many to help (web/search_views.py)
const TYPING_PAUSE = 200; // ms: asked once the typing pauses, not at every key
const searches = new WeakMap();

const searchOf = (input) => {
  if (!searches.has(input)) searches.set(input, { asked: 0, timer: 0, controller: null });
  return searches.get(input);
};
const popupOf = (input) => document.getElementById(input.dataset.comboboxPopup);
const optionsOf = (input) => {
  const listbox = document.getElementById(input.getAttribute("aria-controls"));
  return listbox ? Array.from(listbox.querySelectorAll("[role='option']")) : [];
};
const isOpen = (input) => input.getAttribute("aria-expanded") === "true";

function highlight(input, index) {
  const options = optionsOf(input);
  options.forEach((option, at) => option.setAttribute("aria-selected", at === index ? "true" : "false"));
  if (index >= 0 && options[index]) {
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  } else {
    input.removeAttribute("aria-activedescendant");
  }
}

// The popup's last line ("All 153 results", "No customer found for …") read out to a screen
// reader through a live region (data-combobox-status) that stays on the page: a listbox that
// changes while one types is not announced by itself.
function announce(input, text) {
  const status = document.getElementById(input.dataset.comboboxStatus);
  if (status && status.textContent !== text) status.textContent = text;
}

function shut(input) {
  const popup = popupOf(input);
  if (popup) popup.hidden = true;
  input.setAttribute("aria-expanded", "false");
  highlight(input, -1);
  announce(input, "");
}

function show(input) {
  popupOf(input).hidden = false;
  input.setAttribute("aria-expanded", "true");
}

function ask(input) {
  const search = searchOf(input);
  // Every keystroke outdates what was asked before: an answer that arrives late (the network
  // is not first in, first out) is dropped, never drawn over a newer one.
  search.asked += 1;
  const asked = search.asked;
  clearTimeout(search.timer);
  if (search.controller) search.controller.abort();
  highlight(input, -1);
  const query = input.value.trim();
  if (query.length < SHORTEST_QUERY) {
    shut(input);
    // Nor may an arrow key bring back the matches of what was erased.
    popupOf(input).querySelectorAll("[role='option'], .live-search-all").forEach((old) => old.remove());
    return;
  }
  search.timer = setTimeout(() => {
    search.controller = new AbortController();
    const url = new URL(input.dataset.comboboxSource, window.location.href);
    url.searchParams.set("q", query);
    fetch(url, { signal: search.controller.signal, credentials: "same-origin" })
      // Signed out meanwhile, the answer is the login page: not something to show in the popup.
      .then((response) => (response.ok && !response.redirected ? response.text() : Promise.reject()))
      .then((html) => {
        if (asked !== search.asked) return;
        popupOf(input).innerHTML = html;
        if (html.trim()) show(input);
        else shut(input);
        highlight(input, -1);
        const last = popupOf(input).querySelector(".live-search-all");
        announce(input, last ? last.textContent.trim() : "");
      })
      .catch(() => {
        if (asked === search.asked) shut(input);
      });
  }, TYPING_PAUSE);
}

function open(option) {
  if (option && option.dataset.href) window.location.assign(option.dataset.href);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.matches(COMBOBOX)) ask(event.target);
});

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches(COMBOBOX)) return;
  const options = optionsOf(input);
  const current = options.findIndex((option) => option.getAttribute("aria-selected") === "true");
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (!options.length) return;
    event.preventDefault();
    if (!isOpen(input)) {
      show(input);
      highlight(input, event.key === "ArrowDown" ? 0 : options.length - 1);
      return;
    }
    // Past either end the highlight leaves the options: Enter then searches the list again.
    const next = event.key === "ArrowDown" ? current + 1 : (current < 0 ? options.length : current) - 1;
    highlight(input, next < options.length ? next : -1);
  } else if (event.key === "Enter" && isOpen(input) && current >= 0) {
    event.preventDefault();
    open(options[current]);
  } else if (event.key === "Escape" && isOpen(input)) {
    event.preventDefault(); // the popup shuts; what was typed stays (a second Escape clears it)
    shut(input);
  }
});

// A press in the popup keeps the cursor in the box (so that the popup stays), and the click
// that follows opens the option; a link in the popup's last line is followed as any link.
document.addEventListener("mousedown", (event) => {
  const popup = event.target instanceof Element ? event.target.closest(".live-search") : null;
  if (popup && !event.target.closest("a")) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const option = event.target instanceof Element ? event.target.closest(".live-search [role='option']") : null;
  if (option) open(option);
});
document.addEventListener("focusout", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches(COMBOBOX)) return;
  const popup = popupOf(input);
  if (!popup || !popup.contains(event.relatedTarget)) shut(input);
});
