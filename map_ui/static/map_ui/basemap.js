// A Leaflet map that works with no internet: the town's own basemap (streets with their names,
// landmarks, parcels and civic numbers) from our vector tiles (/tuiles/{z}/{x}/{y}.pbf, written
// by PostGIS), drawn by a plain canvas renderer of the tiles (basemap-canvas.js, its labels as
// text), or by MapLibre GL when the setting GUICHET_BASEMAP_RENDERER says "maplibre" and the
// browser has WebGL (else the canvas). An online tile layer only when
// the setting GUICHET_TILE_URL provides one (then our tiles add the parcels and civic numbers).
// The pages' own layers (places, reports, zones, the property's parcel) stay Leaflet layers
// above the basemap. docs/basemap.md says why and what was measured.
/* global L, maplibregl */
import { LOOK, MAJOR_ROADS, ZOOMS } from "./basemap-look.js";
import { addZoom, localizeDraw } from "./map-words.js";

export function readConfig() {
  return JSON.parse(document.getElementById("map-config").textContent);
}

// The browser asks for less motion (prefers-reduced-motion): the map jumps instead of gliding
// (no zoom or fade animation, no inertia, no animated pan).
function stillOptions() {
  if (!window.matchMedia("(prefers-reduced-motion: reduce)").matches) return {};
  return { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, inertia: false };
}

function withoutAnimatedPans(map) {
  const panBy = map.panBy.bind(map);
  map.panBy = (offset, options) => panBy(offset, { ...options, animate: false });
}

const loaded = new Map();

function loadOnce(url, make) {
  if (!loaded.has(url)) {
    loaded.set(url, new Promise((resolve, reject) => {
      const node = make();
      node.addEventListener("load", resolve);
      node.addEventListener("error", () => reject(new Error(`${url} did not load`)));
      document.head.append(node);
    }));
  }
  return loaded.get(url);
}

function script(url) {
  return loadOnce(url, () => Object.assign(document.createElement("script"), { src: url }));
}

export function stylesheet(url) {
  return loadOnce(url, () => Object.assign(document.createElement("link"),
                                           { rel: "stylesheet", href: url }));
}

function hasWebGL() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

// Marks the moment the first streets, names and parcels of the view are drawn (the benchmark
// and the tests read it: performance mark "basemap-ready" and data-basemap-ready).
function ready(element) {
  if (element.dataset.basemapReady) return;
  element.dataset.basemapReady = "1";
  performance.mark("basemap-ready");
  element.dispatchEvent(new CustomEvent("basemap:ready", { bubbles: true }));
}

// MapLibre's zooms are Leaflet's minus one (512-pixel tiles in its own convention).
const gl = (leafletZoom) => leafletZoom - 1;

function width(stops) {
  return ["interpolate", ["exponential", 1.6], ["zoom"],
          ...stops.flatMap(([z, w]) => [gl(z), w])];
}

function glStyle(basemap, online) {
  const major = ["in", ["get", "kind"], ["literal", MAJOR_ROADS]];
  const town = (id, type, sourceLayer, rest) => ({ id, type, source: "town",
                                                  "source-layer": sourceLayer, ...rest });
  const halo = { "text-halo-color": LOOK.halo, "text-halo-width": 1.6 };
  const layers = [
    online ? null : { id: "background", type: "background",
                      paint: { "background-color": LOOK.background } },
    online ? null : town("places", "fill", "places", {
      paint: { "fill-color": ["get", "colour"], "fill-opacity": LOOK.placeOpacity,
               "fill-outline-color": ["get", "colour"] } }),
    town("parcels", "line", "parcels", {
      minzoom: gl(ZOOMS.parcels),
      paint: { "line-color": LOOK.parcel, "line-width": width([[15, 0.6], [18, 1.5]]) } }),
    // Casings under fills, the minor streets' under the major roads'.
    ...(online ? [] : [
      ["street-casings", false, LOOK.streetCasing, LOOK.streetWidth, 1.5],
      ["major-casings", true, LOOK.majorCasing, LOOK.majorWidth, 2],
      ["streets", false, LOOK.street, LOOK.streetWidth, 0],
      ["major-roads", true, LOOK.major, LOOK.majorWidth, 0],
    ].map(([id, isMajor, colour, stops, extra]) => town(id, "line", "streets", {
      filter: isMajor ? major : ["!", major],
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": colour, "line-width": width(stops.map(([z, w]) => [z, w + extra])) },
    }))),
    town("civic-numbers", "symbol", "addresses", {
      minzoom: gl(ZOOMS.numbers),
      layout: { "text-field": ["get", "number"], "text-font": [LOOK.font], "text-size": 11 },
      paint: { "text-color": LOOK.number, ...halo } }),
    online ? null : town("place-labels", "symbol", "place_labels", {
      minzoom: gl(ZOOMS.placeLabels),
      layout: { "text-field": ["get", "name"], "text-font": [LOOK.bold], "text-size": 12,
                "text-max-width": 9 },
      paint: { "text-color": ["get", "colour"], ...halo } }),
    // Last: MapLibre places the top layer's labels first, so street names win over the rest.
    online ? null : town("street-labels", "symbol", "streets", {
      minzoom: gl(ZOOMS.majorLabels),
      filter: ["all", ["has", "name"], ["any", major, [">=", ["zoom"], gl(ZOOMS.streetLabels)]]],
      layout: { "symbol-placement": "line", "text-field": ["get", "name"],
                "text-font": [LOOK.font], "symbol-spacing": 320, "text-max-angle": 35,
                "text-size": ["interpolate", ["linear"], ["zoom"], gl(14), 11, gl(18), 15] },
      paint: { "text-color": LOOK.label, ...halo } }),
  ];
  return {
    version: 8,
    glyphs: window.location.origin + basemap.glyphs,
    sources: { town: { type: "vector", tiles: [window.location.origin + basemap.tiles],
                       minzoom: basemap.minZoom, maxzoom: basemap.maxZoom, tileSize: 512 } },
    layers: layers.filter(Boolean),
  };
}

async function addGL(map, element, basemap, online) {
  stylesheet(basemap.maplibre.css);
  await script(basemap.maplibre.js);
  await script(basemap.maplibre.leaflet);
  maplibregl.setWorkerUrl(basemap.maplibre.worker);
  const style = glStyle(basemap, online);
  element.basemapStyle = style;
  const layer = L.maplibreGL({ style, interactive: false,
                               fadeDuration: 0 }).addTo(map);
  const glMap = layer.getMaplibreMap();
  element.basemapGL = glMap;  // for the tests: queryRenderedFeatures
  // The GL canvas is a picture of the basemap: the Leaflet map around it is the region that
  // keyboards and screen readers use (and MapLibre's own label is English only).
  const canvas = glMap.getCanvas();
  canvas.setAttribute("aria-hidden", "true");
  canvas.removeAttribute("tabindex");
  canvas.removeAttribute("aria-label");
  canvas.removeAttribute("role");
  glMap.on("error", (event) => console.error("basemap:", event.error?.message));  // eslint-disable-line no-console
  // Ready: the first frame showing street names, and parcels when the zoom shows them.
  const check = () => {
    const names = glMap.queryRenderedFeatures({ layers: ["street-labels"] }).length;
    const parcels = map.getZoom() < ZOOMS.parcels
      || glMap.queryRenderedFeatures({ layers: ["parcels"] }).length;
    if ((names || online) && parcels) {
      glMap.off("render", check);
      ready(element);
    }
  };
  glMap.on("render", check);
  element.dataset.basemap = "maplibre";
}

async function addCanvas(map, element, basemap, online) {
  const { canvasBasemap } = await import("./basemap-canvas.js");
  stylesheet(basemap.css);
  const layer = canvasBasemap(basemap, { online }).addTo(map);
  layer.once("firstdrawn", () => ready(element));
  element.dataset.basemap = "canvas";
}

// options.minZoom: the least zoom the map opens at (centred on the town) when the town does not
// fit at it; the home map opens where parcels and street names show.
export function createMap(element, config, options = {}) {
  const still = stillOptions();
  const map = L.map(element, { zoomSnap: 0.5, keyboard: true, zoomControl: false, ...still });
  addZoom(map, config.labels);
  localizeDraw(config.labels);
  if (still.inertia === false) withoutAnimatedPans(map);
  map.attributionControl.setPrefix("Leaflet");
  const online = Boolean(config.tileUrl);
  if (online) {
    L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  } else {
    element.classList.add("map--offline");
  }
  if (config.territory) {
    const outline = L.geoJSON(config.territory, {
      style: { color: "#334155", weight: 2, dashArray: "6 4", fill: false },
      interactive: false,
      attribution: "© OpenStreetMap contributors",
    }).addTo(map);
    map.fitBounds(outline.getBounds());
    if (options.minZoom && map.getZoom() < options.minZoom) {
      map.setView(outline.getBounds().getCenter(), options.minZoom, { animate: false });
    }
  }
  // A shareable view in the URL: #map=zoom/lat/lon (the OpenStreetMap convention).
  const view = /^#map=([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(window.location.hash);
  if (view) map.setView([Number(view[2]), Number(view[3])], Number(view[1]), { animate: false });
  const basemap = config.basemap;
  if (basemap) {
    // ?basemap=canvas or ?basemap=maplibre: that renderer whatever the setting (to compare).
    const wanted = new URLSearchParams(window.location.search).get("basemap") || basemap.renderer;
    const useGL = wanted === "maplibre" && hasWebGL();
    (useGL ? addGL(map, element, basemap, online) : Promise.reject(new Error("the canvas")))
      .catch(() => addCanvas(map, element, basemap, online))
      .catch(() => { element.dataset.basemap = "none"; });
  }
  element.dispatchEvent(new CustomEvent("map:init", { bubbles: true, detail: { map, config } }));
  return map;
}
