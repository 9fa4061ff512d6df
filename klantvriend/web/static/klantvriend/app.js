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

// The customer list's search takes the cursor where a mouse and keyboard are at hand. On a
// touch screen the cursor opened the on-screen keyboard over the list the page came to show.
const searchOnOpen = document.querySelector("[data-focus-with-keyboard]");
if (searchOnOpen && window.matchMedia("(pointer: fine)").matches) searchOnOpen.focus();

// Opening the walk-in panel puts the cursor in its name field.
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (details instanceof HTMLDetailsElement && details.open && details.classList.contains("quick-add")) {
    const input = details.querySelector("input[name='name']");
    if (input) input.focus();
  }
}, true);

// A link to a folded form further down the page (the profile's "+ Promise" beside the forms at
// its top) unfolds it and puts the cursor in its first field: on a phone the form was below a
// screen or two of timeline. Without this file the link still leads to the form's title.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href^='#']") : null;
  const details = link ? document.getElementById(link.hash.slice(1)) : null;
  if (!(details instanceof HTMLDetailsElement)) return;
  event.preventDefault();
  details.open = true;
  details.scrollIntoView({ block: "start" });
  const field = details.querySelector("input:not([type=hidden]), textarea, select");
  if (field) field.focus({ preventScroll: true });
});

// A box that goes with channels (a complaint answered on the spot, ticked for the counter; a
// public one, for social media and review sites), named in its data-ticked-for-channel with
// spaces between, follows the channel chosen in its form; it can still be changed by hand after.
// A disabled box stays as it is (a judged complaint's "public", web/care_forms.py).
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || select.name !== "channel" || !select.form) return;
  select.form.querySelectorAll("input[data-ticked-for-channel]:not(:disabled)").forEach((box) => {
    box.checked = box.dataset.tickedForChannel.split(" ").includes(select.value);
  });
});

// The promise advice's "Use this moment" puts the moment it suggests in the form, with the moment
// it was suggested for (advised_from): the advice then judges the moment taken by the one first
// typed, instead of advising to move on from it again. Typing the moment again forgets it.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-advised-day]") : null;
  const form = button ? button.form : null;
  if (!form) return;
  form.elements.namedItem("due_date").value = button.dataset.advisedDay;
  form.elements.namedItem("due_time").value = button.dataset.advisedTime;
  form.elements.namedItem("advised_from").value = button.dataset.advisedFrom;
  form.elements.namedItem("due_date").dispatchEvent(new Event("change", { bubbles: true }));
});
document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement) || !field.form) return;
  if (!["due_date", "due_time", "kind", "made_at"].includes(field.name)) return;
  const advised = field.form.elements.namedItem("advised_from");
  if (advised) advised.value = "";
});

// A request of htmx that fails swaps nothing, so the click would seem to do nothing: say that
// it was not saved and why (the texts are in the page, in the user's language).
function showRequestFailed(kind) {
  const box = document.getElementById("request-failed");
  if (!box) return;
  box.textContent = box.dataset[kind];
  box.hidden = false;
}
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  showRequestFailed(status === 503 ? "busy" : status === 403 ? "forbidden" : "failed");
});
document.addEventListener("htmx:sendError", () => showRequestFailed("offline"));
document.addEventListener("htmx:beforeRequest", () => {
  const box = document.getElementById("request-failed");
  if (box) box.hidden = true;
});

// A field that counts only while a box is ticked (the legal basis of news and offers) is shown
// only then. Without this file it is always shown, and its help text says when it counts.
function showFieldsWithTheirBox(root) {
  root.querySelectorAll("[data-shown-with]").forEach((input) => {
    const box = document.getElementById(input.dataset.shownWith);
    const field = input.closest(".field");
    if (box instanceof HTMLInputElement && field) field.hidden = !box.checked;
  });
}
document.addEventListener("DOMContentLoaded", () => showFieldsWithTheirBox(document));
document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.type === "checkbox") {
    showFieldsWithTheirBox(document);
  }
});

// A day ticked "closed" in the settings' opening hours has no times (web/care_forms.py leaves
// them out): while it is ticked its time boxes are empty and disabled, and unticking it gives
// back what was typed there. Without this file they stay as typed, and saving leaves them out.
function closedDaysWithoutTimes(row) {
  const box = row.querySelector(".day-closed input[type=checkbox]");
  if (!box) return;
  row.querySelectorAll(".day-times input").forEach((input) => {
    if (box.checked && !input.disabled) {
      input.dataset.typed = input.value;
      input.value = "";
    } else if (!box.checked && input.disabled) {
      input.value = input.dataset.typed || "";
    }
    input.disabled = box.checked;
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".day-hours").forEach(closedDaysWithoutTimes);
});
document.addEventListener("change", (event) => {
  const row = event.target instanceof HTMLInputElement && event.target.closest(".day-hours");
  if (row) closedDaysWithoutTimes(row);
});

// A table read as cards on a phone (table-stack.css): each cell gets its column's heading
// as the label the card shows (data-label), so that a template writes a heading once, in the
// table's head; a cell spanning every column (a table's "nothing yet") gets none. The table and
// its parts get their roles written out: laid out as blocks, some browsers stop telling a
// screen reader it is a table.
const STACKED_ROLES = { TABLE: "table", THEAD: "rowgroup", TBODY: "rowgroup", TFOOT: "rowgroup", TR: "row", TD: "cell" };
function labelStackedTables() {
  document.querySelectorAll("table.table-stack").forEach((table) => {
    const headings = [...table.querySelectorAll("thead th")].flatMap((heading) =>
      Array(heading.colSpan).fill(heading.textContent.trim().replace(/\s+/g, " ")));
    table.querySelectorAll("*").forEach((part) => {
      const role = part.tagName === "TH" ? (part.closest("thead") ? "columnheader" : "rowheader")
        : STACKED_ROLES[part.tagName];
      if (role) part.setAttribute("role", role);
    });
    table.setAttribute("role", "table");
    table.querySelectorAll("tbody tr").forEach((row) => {
      let column = 0;
      for (const cell of row.cells) {
        const label = headings[column];
        if (label && cell.colSpan < headings.length) cell.dataset.label = label;
        else delete cell.dataset.label;
        column += cell.colSpan;
      }
    });
  });
}
labelStackedTables();
document.addEventListener("htmx:afterSettle", labelStackedTables);

// A table wider than its box scrolls sideways inside it (the boxes app.css lets scroll), not
// the page. Above such a box a line says so (the page's words, in data-scroll-hint), and a
// keyboard user scrolls it with the arrow keys once it has the focus, so a box that scrolls
// takes its place in the Tab order; one that fits adds no stop and no line.
const SCROLLING_BOXES = ".table-wrap, .card .table";
function letScrollingBoxesTakeFocus() {
  const words = document.getElementById("content")?.dataset.scrollHint;
  document.querySelectorAll(SCROLLING_BOXES).forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
    let hint = box.previousElementSibling;
    if (!hint?.classList.contains("scroll-hint")) {
      if (!scrolls || !words) return;
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = words;
      box.before(hint);
    }
    hint.hidden = !scrolls;
  });
}
document.addEventListener("DOMContentLoaded", letScrollingBoxesTakeFocus);
window.addEventListener("resize", letScrollingBoxesTakeFocus);
document.addEventListener("htmx:afterSettle", letScrollingBoxesTakeFocus);
document.addEventListener("toggle", letScrollingBoxesTakeFocus, true);

// The walk-in panel, the user menu and a profile's "More" lie over the page. Escape shuts the
// open one and gives the focus back to the button that opened it; tabbing out of one shuts it,
// so that the focus never goes on behind it where nobody can see it.
const OVERLAY_PANELS = "details.quick-add, details.usermenu, details.more-actions";
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const panel = document.querySelector(`:is(${OVERLAY_PANELS})[open]`);
  if (!panel) return;
  panel.open = false;
  panel.querySelector("summary").focus();
});
document.addEventListener("focusout", (event) => {
  const panel = event.target instanceof Element ? event.target.closest(OVERLAY_PANELS) : null;
  const to = event.relatedTarget;
  if (panel && panel.open && to instanceof Node && !panel.contains(to)) panel.open = false;
});

// A row of Today that htmx replaces (a promise marked done, a call planned) takes over the focus
// its button had: the button is gone, and the focus would fall back to the top of the page. A
// keyboard user goes on from the row; a screen reader reads out what became of it.
let swappedRowId = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const row = event.detail.target;
  swappedRowId = row && row.matches(".care-row[id]") && row.contains(document.activeElement) ? row.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const row = swappedRowId && document.getElementById(swappedRowId);
  swappedRowId = null;
  if (!row || (document.activeElement && document.activeElement !== document.body)) return;
  row.tabIndex = -1;
  row.focus({ preventScroll: true });
});

// The second tap of a double-tap lands where the first one's button was. On Today and the card
// that is now the button that replaced it ("Undo" where "Done" was, "Done" where "Undo" was),
// and the step was taken back at once. The buttons htmx brings into a row or the card take no
// tap for a moment: a deliberate tap comes later than that. Marked aria-disabled rather than
// disabled, so that the keyboard's focus still goes to them in their order, and a key pressed
// on one (a click of detail 0, no pointer's) is taken: a keyboard does not double-tap. Marked
// as soon as they are swapped in, not at htmx:load: htmx processes new content only when it
// settles, a moment later, and a tap in between submitted the undo's form as a whole page.
const TAP_AGAIN_AFTER_MS = 800;
document.addEventListener("htmx:afterSwap", (event) => {
  const content = event.detail.elt;
  if (!(content instanceof Element) || !content.closest(".care-row, #profile-live")) return;
  const buttons = [content, ...content.querySelectorAll("button")].filter(
    (element) => element instanceof HTMLButtonElement && !element.hasAttribute("aria-disabled"),
  );
  buttons.forEach((button) => button.setAttribute("aria-disabled", "true"));
  setTimeout(() => buttons.forEach((button) => button.removeAttribute("aria-disabled")), TAP_AGAIN_AFTER_MS);
});
document.addEventListener("click", (event) => {
  const tapped = event.detail > 0 && event.target instanceof Element;
  if (tapped && event.target.closest('button[aria-disabled="true"]')) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A form of the card saved (or refused) by htmx leaves the screen where it was, and the card
// above it has grown or its form has closed: on a phone the message "Saved" or the error lay a
// screen away, and nothing seemed to happen. The first field refused takes the focus; else the
// message of what was saved is brought into sight.
let profileSwapped = false;
document.addEventListener("htmx:beforeSwap", (event) => {
  profileSwapped = Boolean(event.detail.target && event.detail.target.id === "profile-live");
});
document.addEventListener("htmx:afterSettle", () => {
  const live = profileSwapped && document.getElementById("profile-live");
  profileSwapped = false;
  if (!live) return;
  const refused = live.querySelector(".field-invalid :is(input, select, textarea)");
  if (refused) {
    refused.focus({ preventScroll: true });
    refused.scrollIntoView({ block: "center" });
    return;
  }
  const saved = live.querySelector(".message-success[role=status]");
  if (saved) saved.scrollIntoView({ block: "center" });
});

// A page made to be handed over on paper (the customer's copy of their data) has a Print
// button; it is hidden until this file runs, as nothing else would make it work.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
