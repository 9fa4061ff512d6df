// Upload progress for the import page; the form also works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload-progress")) return;
  const bar = form.querySelector(".upload-progress");
  if (!bar || typeof XMLHttpRequest === "undefined") return;
  event.preventDefault();
  const request = new XMLHttpRequest();
  request.open("POST", form.action || window.location.href);
  request.upload.addEventListener("progress", (progress) => {
    if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
  });
  request.addEventListener("load", () => {
    // The server answers with a redirect to the preview, or the form with its messages.
    if (request.responseURL && request.responseURL !== window.location.href && request.status < 400) {
      window.location.assign(request.responseURL);
    } else {
      document.open();
      document.write(request.responseText);
      document.close();
    }
  });
  request.addEventListener("error", () => form.submit());
  bar.hidden = false;
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  request.send(new FormData(form));
});
