// An alert's area on a map (its preview for staff, its public page): config.area is GeoJSON in
// WGS 84; config.alerts, a list of {title, url, area} for the public map of current alerts.
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("alert-area-map");
const map = createMap(element, config);
const areas = L.featureGroup().addTo(map);
const style = { color: "#b91c1c", weight: 2, fillOpacity: 0.15 };
if (config.area) L.geoJSON(config.area, { style }).eachLayer((l) => areas.addLayer(l));
for (const alert of config.alerts || []) {
  if (!alert.area) continue;
  const link = document.createElement("a");
  link.href = alert.url;
  link.textContent = alert.title;
  L.geoJSON(alert.area, { style }).bindPopup(link).eachLayer((l) => areas.addLayer(l));
}
if (areas.getLayers().length) map.fitBounds(areas.getBounds(), { maxZoom: 17 });
