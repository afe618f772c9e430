// Envyard UI: copy buttons, confirmations and the create tabs. No build step, no framework.
"use strict";

function copyText(text, button) {
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    button.classList.add("copied");
    button.dataset.copied = text;
    setTimeout(() => { button.textContent = label; button.classList.remove("copied"); }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => { fallbackCopy(text); done(); });
  } else {
    fallbackCopy(text);
    done();
  }
}

function fallbackCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); } catch (e) { /* the text stays selectable */ }
  document.body.removeChild(area);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  event.preventDefault();
  const from = button.dataset.copyFrom;
  const text = from ? document.getElementById(from).textContent : button.dataset.copy;
  copyText(text, button);
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  const tabs = document.querySelectorAll(".tab[data-tab]");
  const show = (tab) => {
    tabs.forEach((t) => {
      t.classList.toggle("on", t === tab);
      document.getElementById(t.dataset.tab).classList.toggle("hidden", t !== tab);
    });
  };
  tabs.forEach((tab) => tab.addEventListener("click", (e) => { e.preventDefault(); show(tab); }));
  if (location.hash === "#conda") show(document.getElementById("tab-conda"));
});

// Sortable columns: click a header of a table.sortable (or any table.list) to sort by it;
// cells may carry data-sort (dates as ISO text); numbers sort as numbers.
function sortKey(cell) {
  const text = (cell.dataset.sort ?? cell.textContent).trim();
  const number = Number(text);
  return text !== "" && !Number.isNaN(number) ? [0, number] : [1, text.toLowerCase()];
}

function sortTable(table, index, header) {
  const body = table.tBodies[0];
  if (!body) return;
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("thead th").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const [x, y] = [sortKey(a.cells[index]), sortKey(b.cells[index])];
    const order = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
    return ascending ? order : -order;
  });
  rows.forEach((row) => body.appendChild(row));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.list").forEach((table) => {
    table.querySelectorAll("thead th").forEach((th, index) => {
      if (!th.textContent.trim()) return;
      table.classList.add("sortable");
      th.setAttribute("tabindex", "0");
      th.title = "sort by " + th.textContent.trim();
      th.addEventListener("click", () => sortTable(table, index, th));
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sortTable(table, index, th); });
    });
  });
});

// Live logs: a <pre data-follow=URL> shows the lines the server streams while the run goes on;
// when the stream ends (the run finished) the page reloads to show the final state.
document.addEventListener("DOMContentLoaded", async () => {
  const log = document.querySelector("pre[data-follow]");
  if (!log || !window.fetch || !window.TextDecoder) return;
  const response = await fetch(log.dataset.follow, { credentials: "same-origin" });
  if (!response.ok || !response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let fresh = true;  // the stream starts from the first line: it replaces the page's copy
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (fresh) { log.textContent = ""; fresh = false; }
    log.textContent += decoder.decode(value, { stream: true });
    log.scrollTop = log.scrollHeight;
  }
  const live = document.getElementById("live");
  if (live) live.textContent = "(finished)";
  setTimeout(() => location.reload(), 600);
});
