// The header's text size and contrast buttons (core/display.py). The server drew the page with
// the reader's choice (<html data-text-size data-contrast>); a button applies its choice at once
// and the server keeps it (this browser's cookie, and the account when signed in). Without this
// script the buttons still work: they submit the form and the page comes back drawn anew.
const root = document.documentElement;
const form = document.querySelector("[data-display-form]");
const moreContrast = window.matchMedia("(prefers-contrast: more)");

function highContrast() {
  const chosen = root.dataset.contrast;
  return chosen === "high" || (chosen === "auto" && moreContrast.matches);
}

// aria-pressed as drawn: the server cannot know that the browser asks for more contrast.
function showState() {
  for (const button of form.querySelectorAll("button[name=text_size]")) {
    button.setAttribute("aria-pressed", String(button.value === root.dataset.textSize));
  }
  const contrast = form.querySelector("button[name=contrast]");
  const on = highContrast();
  contrast.setAttribute("aria-pressed", String(on));
  contrast.value = on ? "normal" : "high";
}

function apply({ text_size: textSize, contrast }) {
  if (textSize) root.dataset.textSize = textSize;
  if (contrast) root.dataset.contrast = contrast;
  showState();
}

async function save(event) {
  const button = event.submitter;
  if (!button || !button.name) return;
  event.preventDefault();
  const body = new FormData(form, button);
  const before = { text_size: root.dataset.textSize, contrast: root.dataset.contrast };
  apply({ [button.name]: button.value });
  try {
    const response = await fetch(form.action, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`${response.status}`);
    apply(await response.json());
  } catch {
    apply(before);
    // The plain form then (it reloads the page): submit() sends no submitter, so its choice
    // goes as a field.
    const field = Object.assign(document.createElement("input"),
      { type: "hidden", name: button.name, value: button.value });
    form.append(field);
    form.submit();
  }
}

if (form) {
  showState();
  moreContrast.addEventListener("change", showState);
  form.addEventListener("submit", save);
  // Escape closes the panel and gives the focus back to its summary.
  const details = form.closest("details");
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });
}
