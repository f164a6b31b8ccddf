// Address suggestions as you type (ARIA 1.2 combobox with a listbox), shared by the home page's
// search and the report form's address field. Answers with the same label carry a `detail`
// (unit, use, matricule) that tells them apart. Escape closes the list and keeps the text.
import { apiHeaders } from "./api.js";

export function attachSuggestions({ input, list, status, url, noRecord = "", choose }) {
  let items = [];
  let active = -1;
  let timer;
  let seq = 0;
  const prefix = `${list.id}-`;

  function text(item) {
    const label = item.detail ? `${item.label} — ${item.detail}` : item.label;
    return item.url || !noRecord ? label : `${label} ${noRecord}`;
  }

  function render() {
    list.replaceChildren(...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `${prefix}${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      li.textContent = text(item);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    const open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${prefix}${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function close() { items = []; active = -1; render(); }

  function pick(i) {
    const item = items[i];
    close();
    choose(item);
  }

  async function suggest() {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) { close(); return; }
    const response = await fetch(`${url}?q=${encodeURIComponent(q)}`, { headers: apiHeaders() });
    if (!response.ok || mine !== seq) return;
    items = await response.json();
    active = -1;
    render();
    if (status) status.textContent = items.length ? `${items.length} ↓` : "0";
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); close(); return; }
    if (!items.length) return;
    if (e.key === "ArrowDown") { active = (active + 1) % items.length; render(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0) { pick(active); e.preventDefault(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
