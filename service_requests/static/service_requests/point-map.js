// Where a request is: the town's map centred on its point, with a marker. (The address or the
// coordinates are written beside the map for those who do not use it.)
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("request-map");
const map = createMap(element, config);
const [lon, lat] = config.point;
L.marker([lat, lon], { keyboard: false, title: element.dataset.label }).addTo(map);
map.setView([lat, lon], 17, { animate: false });
