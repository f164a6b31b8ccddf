// The clerks' queue map: the requests of the list as markers (late ones red), each opening its
// page; a polygon drawn with Leaflet.draw becomes the "area" filter of the form above.
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("queue-map");
const form = document.querySelector("[data-queue-form]");
const areaInput = form.querySelector("input[name=area]");
const map = createMap(element, config);

const markers = L.featureGroup().addTo(map);
for (const point of config.points) {
  const marker = L.circleMarker([point.lat, point.lon], {
    radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
    fillColor: point.late ? "#b91c1c" : "#1d4ed8",
  });
  const link = document.createElement("a");
  link.href = point.url;
  link.textContent = `${point.label} — ${point.status}`;
  marker.bindPopup(link);
  marker.addTo(markers);
}

const drawn = L.featureGroup().addTo(map);
if (areaInput.value) {
  try {
    L.geoJSON(JSON.parse(areaInput.value), { style: { color: "#f59e0b" } }).eachLayer((l) => drawn.addLayer(l));
  } catch { /* the server says the area could not be read */ }
}
if (drawn.getLayers().length) map.fitBounds(drawn.getBounds());
else if (config.points.length) map.fitBounds(markers.getBounds(), { maxZoom: 17, padding: [20, 20] });

if (L.Control.Draw) {
  map.addControl(new L.Control.Draw({
    draw: { polygon: { allowIntersection: false, showArea: false }, polyline: false, rectangle: true,
            circle: false, marker: false, circlemarker: false },
  }));
  map.on(L.Draw.Event.CREATED, (event) => {
    areaInput.value = JSON.stringify(event.layer.toGeoJSON().geometry);
    form.requestSubmit();
  });
}
