// The attendance sheet's Print button (a module from our origin: no inline script, CSP).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
