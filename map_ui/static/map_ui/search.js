// Type-ahead for the address search (ARIA 1.2 combobox with a listbox). The form still works
// with no JavaScript: it submits to the server, which lists the results.
const form = document.querySelector("form.search");
const input = form.querySelector("input[role=combobox]");
const list = form.querySelector("[role=listbox]");
const status = form.querySelector("[data-search-status]");
let items = [];
let active = -1;
let timer;
let seq = 0;

function render() {
  list.replaceChildren(...items.map((item, i) => {
    const li = document.createElement("li");
    li.id = `suggestion-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(i === active));
    // An address with no property record has no page: the results page says so.
    li.textContent = item.url ? item.label : `${item.label} ${form.dataset.noRecord}`;
    li.addEventListener("mousedown", (e) => { e.preventDefault(); go(i); });
    return li;
  }));
  const open = items.length > 0;
  list.hidden = !open;
  input.setAttribute("aria-expanded", String(open));
  if (active >= 0) input.setAttribute("aria-activedescendant", `suggestion-${active}`);
  else input.removeAttribute("aria-activedescendant");
}

function go(i) {
  if (!items[i].url) { input.value = items[i].label; form.submit(); return; }
  const prefix = document.documentElement.lang === "en" ? "/en" : "";
  window.location.href = prefix + items[i].url;
}

async function suggest() {
  const q = input.value.trim();
  const mine = ++seq;
  if (q.length < 2) { items = []; active = -1; render(); return; }
  const response = await fetch(`${form.dataset.searchUrl}?q=${encodeURIComponent(q)}`);
  if (!response.ok || mine !== seq) return;
  items = await response.json();
  active = -1;
  render();
  status.textContent = items.length ? `${items.length} ↓` : "0";
}

input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });
input.addEventListener("keydown", (e) => {
  if (!items.length) return;
  if (e.key === "ArrowDown") { active = (active + 1) % items.length; render(); e.preventDefault(); }
  else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
  else if (e.key === "Enter" && active >= 0) { go(active); e.preventDefault(); }
  else if (e.key === "Escape") { items = []; active = -1; render(); }
});
input.addEventListener("blur", () => setTimeout(() => { items = []; render(); }, 100));
