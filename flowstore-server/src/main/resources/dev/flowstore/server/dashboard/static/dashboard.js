// flowstore dashboard: live regions, confirmations, select-all. No framework, no build step.
"use strict";

// Every element with data-live="/url" is re-fetched every data-every ms and its content replaced.
// A 401 means the session ended: reload, which leads to the sign-in page.
function startLive(el) {
  const url = el.dataset.live;
  const every = parseInt(el.dataset.every || "3000", 10);
  let busy = false;
  setInterval(async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const r = await fetch(url, { headers: { "X-Dashboard-Live": "1" }, credentials: "same-origin" });
      if (r.status === 401) { location.reload(); return; }
      if (r.ok) el.innerHTML = await r.text();
    } catch (e) {
      // the server may be restarting: keep the last figures and try again
    } finally {
      busy = false;
    }
  }, every);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(startLive);

  // Buttons with data-confirm ask first; nothing is sent unless the operator agrees.
  document.querySelectorAll("button[data-confirm]").forEach((b) =>
    b.addEventListener("click", (e) => {
      if (!window.confirm(b.dataset.confirm)) e.preventDefault();
    })
  );

  // A header checkbox with data-select-all="name" ticks every box of that name in its form.
  document.querySelectorAll("input[data-select-all]").forEach((all) =>
    all.addEventListener("change", () => {
      all.form.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((c) => {
        c.checked = all.checked;
      });
    })
  );
});
