// Where a group meets: the town's map centred on its place, with a marker (the place's name is
// written beside the map for those who do not use it).
/* global L */
import { createMap, readConfig } from "/static/map_ui/basemap.js";

const config = readConfig();
const element = document.getElementById("group-map");
const map = createMap(element, config);
const [lat, lon] = config.point;
L.marker([lat, lon], { keyboard: false, title: config.placeName }).addTo(map);
map.setView([lat, lon], 16, { animate: false });
element.dataset.loaded = "1";
