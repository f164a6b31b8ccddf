// Step 1 of a report: clicking the map (or "use my location") fills the hidden lon/lat fields
// and places a marker. The address field below does the same without the map.
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const form = document.querySelector("[data-report-form]");
const element = document.getElementById("report-map");
const messages = document.getElementById("report-messages").dataset;
const status = form.querySelector("[data-chosen]");
const lon = form.querySelector("input[name=lon]");
const lat = form.querySelector("input[name=lat]");
const map = createMap(element, config);
let marker = null;

let asked = 0;

// The place in words (the nearest address, or the street between two others), in the page's
// language; the plain message stays when the server has no words or does not answer.
async function describe(latlng, text) {
  const ask = ++asked;
  const url = `${messages.placeUrl}?lon=${latlng.lng.toFixed(7)}&lat=${latlng.lat.toFixed(7)}`;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const words = await response.json();
    const label = document.documentElement.lang === "en" ? words.label_en : words.label_fr;
    if (label && ask === asked) status.textContent = messages.chosenAt.replace("{place}", label);
  } catch {
    status.textContent = text;
  }
}

function choose(latlng, text) {
  lon.value = latlng.lng.toFixed(7);
  lat.value = latlng.lat.toFixed(7);
  if (marker) marker.setLatLng(latlng);
  else marker = L.marker(latlng, { keyboard: false }).addTo(map);
  status.textContent = text;
  describe(latlng, text);
}

if (lon.value && lat.value) {
  const latlng = L.latLng(Number(lat.value), Number(lon.value));
  choose(latlng, messages.chosen);
  map.setView(latlng, 17);
}
map.on("click", (event) => choose(event.latlng, messages.chosen));
form.querySelector("[data-locate]")?.addEventListener("click", () => {
  if (!navigator.geolocation) {
    status.textContent = messages.noLocation;
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
      choose(latlng, messages.located);
      map.setView(latlng, 17);
    },
    () => { status.textContent = messages.noLocation; },
    { enableHighAccuracy: true, timeout: 10000 },
  );
});
