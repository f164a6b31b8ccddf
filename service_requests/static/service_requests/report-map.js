// Step 1 of a report: clicking the map (or "use my location") fills the hidden lon/lat fields
// and places a marker. The address field below does the same without the map.
/* global L */
import { apiHeaders } from "/static/map_ui/api.js";
import { createMap, readConfig } from "/static/map_ui/basemap.js";
import { attachSuggestions } from "/static/map_ui/suggestions.js";

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
    const response = await fetch(url, { headers: apiHeaders() });
    if (!response.ok) return;
    const words = await response.json();
    const label = document.documentElement.lang === "en" ? words.label_en : words.label_fr;
    if (label && ask === asked) status.textContent = messages.chosenAt.replace("{place}", label);
  } catch {
    status.textContent = text;
  }
}

function choose(latlng, text, describeIt = true) {
  lon.value = latlng.lng.toFixed(7);
  lat.value = latlng.lat.toFixed(7);
  if (marker) marker.setLatLng(latlng);
  else marker = L.marker(latlng, { keyboard: false }).addTo(map);
  status.textContent = text;
  if (describeIt) describe(latlng, text);
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

// The address field: suggestions as you type; one chosen places the marker like a click.
// Typing again forgets the place chosen before: the address typed is what counts then.
const address = form.querySelector("input[name=address]");
address.addEventListener("input", () => {
  lon.value = "";
  lat.value = "";
  if (marker) { marker.remove(); marker = null; }
  status.textContent = "";
});
attachSuggestions({
  input: address,
  list: document.getElementById("report-address-suggestions"),
  url: messages.searchUrl,
  choose: (item) => {
    address.value = item.label;
    if (item.lat == null || item.lon == null) return; // the server looks the address up
    const latlng = L.latLng(item.lat, item.lon);
    choose(latlng, messages.chosenAt.replace("{place}", item.label), false);
    map.setView(latlng, 18);
  },
});
