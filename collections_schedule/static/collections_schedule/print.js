// The "Print" button (a no-JS user prints with the browser's own command).
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
