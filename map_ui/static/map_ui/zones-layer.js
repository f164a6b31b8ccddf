// Collection zones on the property map: one switchable layer per stream, in the stream's
// colour, the property's own zone drawn stronger. The page lists the same zones as text.
/* global L */
import { apiHeaders } from "/static/map_ui/api.js";
import { nameLayersControl } from "/static/map_ui/map-words.js";

// Leaflet's layers control writes each overlay's name as HTML: the stream's name (data) is
// given to it as text escaped by the DOM's own serializer, so it shows as text.
function asHTMLText(text) {
  const holder = document.createElement("span");
  holder.textContent = text;
  return holder.innerHTML;
}

document.addEventListener("map:init", async (event) => {
  const { map, config } = event.detail;
  if (!config.zonesUrl) return;
  const response = await fetch(config.zonesUrl, { headers: apiHeaders() });
  if (!response.ok) return;
  const data = await response.json();
  const mine = new Set(config.propertyZones || []);
  const byStream = new Map();
  for (const feature of data.features) {
    const key = feature.properties.stream;
    if (!byStream.has(key)) byStream.set(key, []);
    byStream.get(key).push(feature);
  }
  const overlays = {};
  let first = true;
  for (const [stream, features] of byStream) {
    const layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: (f) => ({
        color: f.properties.color,
        weight: mine.has(f.id) ? 3 : 1,
        fillOpacity: mine.has(f.id) ? 0.18 : 0.04,
        dashArray: mine.has(f.id) ? null : "3 3",
      }),
      interactive: false,
    });
    const label = document.querySelector(`[data-stream="${CSS.escape(stream)}"] h3`)
      ?.firstChild?.textContent?.trim() || stream;
    overlays[asHTMLText(label)] = layer;
    if (first) { layer.addTo(map).bringToBack(); first = false; }
  }
  if (Object.keys(overlays).length) {
    nameLayersControl(L.control.layers(null, overlays, { collapsed: true }).addTo(map), config.labels);
  }
  event.target.dataset.zonesDrawn = String(data.features.length);
});
