// The clerks' alert form: the parts of the target shown for the kind chosen, and the map where
// an area is drawn (polygon, rectangle) or a point clicked / a line drawn for a distance. What
// is drawn goes, as GeoJSON in WGS 84, into the "drawn" field (which can also be pasted).
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const form = document.querySelector("[data-alert-form]");
const drawnInput = form.querySelector("[name=drawn]");
const parts = form.querySelectorAll("[data-target-part]");
let map = null;

function kind() {
  const checked = form.querySelector("input[name=target]:checked");
  return checked ? checked.value : "";
}

function showParts() {
  const current = kind();
  for (const part of parts) {
    part.hidden = !part.dataset.targetPart.split(" ").includes(current);
  }
  if (map) map.invalidateSize();
}

form.addEventListener("change", (event) => {
  if (event.target.name === "target") showParts();
});
showParts();

const element = document.getElementById("alert-map");
map = createMap(element, readConfig());
const drawn = L.featureGroup().addTo(map);
function showDrawn() {
  drawn.clearLayers();
  if (!drawnInput.value.trim()) return;
  try {
    L.geoJSON(JSON.parse(drawnInput.value), {
      style: { color: "#b45309" },
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 8, color: "#b45309" }),
    }).eachLayer((layer) => drawn.addLayer(layer));
    if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { maxZoom: 17 });
  } catch { /* the server says the geometry could not be read */ }
}
showDrawn();
drawnInput.addEventListener("change", showDrawn);

if (L.Control.Draw) {
  map.addControl(new L.Control.Draw({
    draw: { polygon: { allowIntersection: false, showArea: false }, rectangle: true,
            polyline: true, marker: true, circle: false, circlemarker: false },
  }));
  map.on(L.Draw.Event.CREATED, (event) => {
    const geometry = event.layer.toGeoJSON().geometry;
    drawnInput.value = JSON.stringify(geometry);
    const target = geometry.type === "Polygon" ? "polygon" : "buffer";
    const radio = form.querySelector(`input[name=target][value=${target}]`);
    if (radio && !radio.checked) { radio.checked = true; showParts(); }
    if (target === "buffer") form.querySelector("[name=address]").value = "";
    showDrawn();
  });
}
