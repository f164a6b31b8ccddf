// The map libraries' own words (Leaflet's zoom and layer controls, Leaflet.draw's toolbar and
// tooltips) in the page's language: the page's map configuration carries them (config.labels,
// map_ui/config.py map_labels), so a map never speaks English on a French page.
/* global L */

export function addZoom(map, labels = {}) {
  const titles = {};
  if (labels.zoomIn) titles.zoomInTitle = labels.zoomIn;
  if (labels.zoomOut) titles.zoomOutTitle = labels.zoomOut;
  L.control.zoom(titles).addTo(map);
}

// A layers control's toggle is titled "Layers" by Leaflet itself.
export function nameLayersControl(control, labels = {}) {
  if (!labels.layers) return;
  const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle) {
    toggle.title = labels.layers;
    toggle.setAttribute("aria-label", labels.layers);
  }
}

// Leaflet.draw reads L.drawLocal when a control or a drawing starts.
export function localizeDraw(labels = {}) {
  if (typeof L.drawLocal === "undefined" || !labels.draw) return;
  const draw = L.drawLocal.draw;
  const words = labels.draw;
  Object.assign(draw.toolbar.actions, { title: words.cancelTitle, text: words.cancel });
  Object.assign(draw.toolbar.finish, { title: words.finishTitle, text: words.finish });
  Object.assign(draw.toolbar.undo, { title: words.undoTitle, text: words.undo });
  Object.assign(draw.toolbar.buttons, {
    polygon: words.polygon, polyline: words.polyline, rectangle: words.rectangle,
    circle: words.circle, marker: words.marker, circlemarker: words.marker,
  });
  Object.assign(draw.handlers.polygon.tooltip, {
    start: words.shapeStart, cont: words.shapeContinue, end: words.shapeEnd,
  });
  Object.assign(draw.handlers.polyline.tooltip, {
    start: words.lineStart, cont: words.lineContinue, end: words.lineEnd,
  });
  draw.handlers.polyline.error = words.lineError;
  draw.handlers.rectangle.tooltip.start = words.rectangleStart;
  draw.handlers.simpleshape.tooltip.end = words.release;
  draw.handlers.marker.tooltip.start = words.markerStart;
  draw.handlers.circlemarker.tooltip.start = words.markerStart;
}
