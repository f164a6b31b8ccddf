// The home map: the town, its streets and parcels (the basemap's tiles); clicking a parcel opens
// its property page. (Keyboard and screen-reader users have the search form above, which does
// the same.)
/* global L */
import { getJSON } from "./api.js";
import { createMap, readConfig } from "./basemap.js";
import { ZOOMS } from "./basemap-look.js";

const config = readConfig();
const element = document.getElementById("town-map");
const map = createMap(element, config, { minZoom: ZOOMS.parcels });
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
