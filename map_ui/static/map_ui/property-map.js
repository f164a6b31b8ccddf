// The property page map: parcel, the proximity area, nearby places with a coloured icon per
// category and a legend. The page lists the same places as text (the non-map path).
/* global L */
import { getJSON } from "./api.js";
import { createMap, readConfig } from "./basemap.js";

const config = readConfig();
const element = document.getElementById("property-map");
const map = createMap(element, config);

if (config.area) {
  const area = L.geoJSON(config.area, {
    style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.05, dashArray: "4 4" },
    interactive: false,
  }).addTo(map);
  map.fitBounds(area.getBounds());
}
if (config.property.shape) {
  L.geoJSON(config.property.shape, {
    style: { color: "#b91c1c", weight: 3, fillOpacity: 0.25 },
  }).addTo(map);
} else if (config.property.point) {
  L.circleMarker(config.property.point, { radius: 8, color: "#b91c1c" }).addTo(map);
}

// Everything that comes from the API (place names from OpenStreetMap, which anyone can edit,
// categories, colours) goes into DOM nodes as text or properties, never into HTML.
function icon(category, color) {
  const dot = document.createElement("span");
  dot.style.background = color;
  dot.dataset.category = category;
  return L.divIcon({ className: "place-icon", html: dot, iconSize: [18, 18] });
}

async function drawPlaces() {
  const [places, categories] = await Promise.all([
    getJSON(config.nearbyUrl),
    getJSON("/api/categories/"),
  ]);
  const colors = Object.fromEntries(categories.map((c) => [c.slug, c]));
  const seen = new Map();
  L.geoJSON(places, {
    style: (f) => ({ color: colors[f.properties.category]?.color || "#555", weight: 2, fillOpacity: 0.2 }),
    pointToLayer: (f, latlng) =>
      L.marker(latlng, { icon: icon(f.properties.category, colors[f.properties.category]?.color || "#555"),
                         title: f.properties.name, keyboard: false }),
    onEachFeature: (f, layer) => {
      seen.set(f.properties.category, f.properties.category_name);
      layer.bindPopup(document.createTextNode(
        `${f.properties.name} — ${Math.round(f.properties.distance_m)} m`));
    },
  }).addTo(map);
  const legend = document.getElementById("map-legend");
  legend.replaceChildren(...[...seen].map(([slug, name]) => {
    const item = document.createElement("span");
    item.className = "legend-item";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colors[slug]?.color;
    item.append(swatch, name);
    return item;
  }));
  element.dataset.placesDrawn = String(places.features.length);
}

drawPlaces().catch((error) => { element.dataset.error = String(error); });
