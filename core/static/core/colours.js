// Colours given by the data (a stream's, a category's) as data-colour="#rrggbb": set here as the
// element's --c custom property through the CSSOM, which the Content-Security-Policy allows,
// where a style="" attribute would need 'unsafe-inline' in style-src.
const HEX = /^#[0-9a-fA-F]{3,8}$/;

for (const el of document.querySelectorAll("[data-colour]")) {
  const colour = el.dataset.colour;
  if (HEX.test(colour)) el.style.setProperty("--c", colour);
}
