// A Leaflet map that works with no internet: the town's own outline and streets from our API;
// an online tile layer only when the setting GUICHET_TILE_URL provides one.
/* global L */
import { addZoom, localizeDraw } from "/static/map_ui/map-words.js";

export function readConfig() {
  return JSON.parse(document.getElementById("map-config").textContent);
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The browser asks for less motion (prefers-reduced-motion): the map jumps instead of gliding
// (no zoom or fade animation, no inertia, no animated pan).
function stillOptions() {
  if (!window.matchMedia("(prefers-reduced-motion: reduce)").matches) return {};
  return { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false };
}

function withoutAnimatedPans(map) {
  const panBy = map.panBy.bind(map);
  map.panBy = (offset, options) => panBy(offset, { ...options, animate: false });
}

export function createMap(element, config) {
  const still = stillOptions();
  const map = L.map(element, { zoomSnap: 0.5, keyboard: true, zoomControl: false, ...still });
  addZoom(map, config.labels);
  localizeDraw(config.labels);
  if (still.inertia === false) withoutAnimatedPans(map);
  map.attributionControl.setPrefix("Leaflet");
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  } else {
    element.classList.add("map--offline");
  }
  if (config.territory) {
    const outline = L.geoJSON(config.territory, {
      style: { color: "#334155", weight: 2, dashArray: "6 4", fill: false },
      interactive: false,
      attribution: "© OpenStreetMap contributors",
    }).addTo(map);
    map.fitBounds(outline.getBounds());
  }
  // A shareable view in the URL: #map=zoom/lat/lon (the OpenStreetMap convention).
  const view = /^#map=([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(window.location.hash);
  if (view) map.setView([Number(view[2]), Number(view[3])], Number(view[1]), { animate: false });
  getJSON(config.streetsUrl)
    .then((data) => {
      L.geoJSON(data, {
        style: (f) => ({ color: "#94a3b8", weight: f.properties.kind === "service" ? 1.5 : 3 }),
        interactive: false,
      }).addTo(map).bringToBack();
    })
    .catch(() => {});
  element.dispatchEvent(new CustomEvent("map:init", { bubbles: true, detail: { map, config } }));
  return map;
}
