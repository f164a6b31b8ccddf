// The catalogue's map: a marker per place where the listed groups meet, with how many; its
// popup links to those groups in the list (the filters' place list does the same without the
// map). The places come with the page (map-config), filtered as the list is.
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("leisure-map");
if (element) {
  const map = createMap(element, config);
  const markers = [];
  for (const place of config.places) {
    const icon = L.divIcon({
      className: "",
      html: `<span class="leisure-marker" data-place="${place.id}">${place.count}</span>`,
      iconSize: [26, 26],
      iconAnchor: [13, 13],
    });
    const marker = L.marker([place.lat, place.lon], { icon, title: `${place.name} — ${place.label}`, alt: place.name });
    const popup = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = place.name;
    const link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.linkText;
    popup.append(name, document.createElement("br"), link);
    marker.bindPopup(popup);
    marker.addTo(map);
    markers.push(marker);
  }
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.3), { maxZoom: 16, animate: false });
  }
  element.dataset.markers = String(markers.length);
}
