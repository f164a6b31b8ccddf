// The public reports map: the reports in view (GeoJSON from /api/reports/ with the page's
// filters), reloaded when the map moves; each marker links to the report's public page.
/* global L */
import { getJSON } from "/static/map_ui/api.js";
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("reports-map");
const map = createMap(element, config);
// Each status's group (new, under way, fixed, closed): a colour and a symbol, as the legend.
const groups = new Map();
for (const group of config.statusGroups) {
  for (const status of group.statuses) groups.set(status, group);
}
const layer = L.geoJSON(null, {
  pointToLayer: (feature, latlng) => {
    const group = groups.get(feature.properties.status) ?? config.statusGroups[0];
    const icon = L.divIcon({
      className: "",
      html: `<span class="report-marker report-marker--${group.key}" data-status-group="${group.key}">${group.symbol}</span>`,
      iconSize: [22, 22],
      iconAnchor: [11, 11],
    });
    return L.marker(latlng, { icon, title: `#${feature.id} ${feature.properties.status_label}` });
  },
  onEachFeature: (feature, marker) => {
    const link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = `#${feature.id} ${feature.properties.category_name} — ${feature.properties.status_label}`;
    marker.bindPopup(link);
  },
}).addTo(map);

async function load() {
  const b = map.getBounds();
  const params = new URLSearchParams({
    in_bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n) => n.toFixed(5)).join(","),
    page_size: "500",
  });
  if (config.filters.category) params.set("category", config.filters.category);
  for (const status of config.filters.status) params.append("status", status);
  const data = await getJSON(`${config.reportsUrl}?${params}`);
  layer.clearLayers();
  layer.addData(data);
  element.dataset.loaded = String(data.features.length);
}

map.on("moveend", () => load().catch(() => {}));
load().catch(() => {});
