// The home map: the town with its parcels; clicking a parcel opens its property page.
// (Keyboard and screen-reader users have the search form above, which does the same.)
/* global L */
import { createMap, getJSON, readConfig } from "./basemap.js";

const config = readConfig();
const element = document.getElementById("town-map");
const map = createMap(element, config);
const parcels = L.geoJSON(null, {
  style: { color: "#64748b", weight: 1, fillOpacity: 0.08 },
}).addTo(map);
const loaded = new Set();

async function loadParcels() {
  if (map.getZoom() < 14) return;  // below that, parcels are too small to click
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n) => n.toFixed(5)).join(",");
  const data = await getJSON(`${config.parcelsUrl}?in_bbox=${bbox}&page_size=1000`);
  parcels.addData(data.features.filter((f) => !loaded.has(f.id) && loaded.add(f.id)));
}

map.on("moveend", () => loadParcels().catch(() => {}));
loadParcels().catch(() => {});
map.on("click", async (event) => {
  const { lat, lng } = event.latlng;
  try {
    const hit = await getJSON(`${config.atUrl}?lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`);
    window.location.href = `${document.documentElement.lang === "en" ? "/en" : ""}/propriete/${hit.id}/`;
  } catch {
    L.popup().setLatLng(event.latlng)
      .setContent(document.createTextNode(element.dataset.nothingHere || "—")).openOn(map);
  }
});
