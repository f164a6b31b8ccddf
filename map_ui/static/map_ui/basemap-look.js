// The basemap's look, shared by its two renderers (MapLibre GL and the canvas fallback), so that
// every map (home, property, report, reports, queue, zones, alerts) looks the same.

export const LOOK = {
  background: "#f4f1ea",
  parcel: "#b9ae9c",
  street: "#ffffff",
  streetCasing: "#b3aa9c",
  major: "#fbe3a0",
  majorCasing: "#c59a3a",
  placeOpacity: 0.16,
  label: "#262a2e",  // 13:1 on the background
  number: "#5c5346",  // 6.7:1 on the background
  halo: "#ffffff",
  font: "NotoSans-Regular",
  bold: "NotoSans-Bold",
  // Line widths in pixels at Leaflet zooms (interpolated between).
  streetWidth: [[13, 1], [15, 3], [17, 8], [19, 20]],
  majorWidth: [[11, 1.5], [14, 4], [17, 11], [19, 26]],
};

// From which Leaflet zoom each thing shows (tiles are 512 pixels: the tiles of zoom z - 1 hold
// it, map_ui/tiles.py and properties/tiles.py).
export const ZOOMS = { parcels: 15, majorLabels: 13, streetLabels: 14, placeLabels: 14,
                       numbers: 17 };

export const MAJOR_ROADS = ["motorway", "motorway_link", "trunk", "trunk_link", "primary",
                            "primary_link", "secondary", "secondary_link", "tertiary",
                            "tertiary_link"];
