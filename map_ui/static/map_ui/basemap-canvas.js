// The basemap without WebGL: the same vector tiles drawn on a 2D canvas per tile (a Leaflet
// GridLayer), streets, landmarks, parcels; their names and the civic numbers as text (<span>s
// over the canvas, in the browser's own fonts). Tiles are 512 pixels as MapLibre's (Leaflet
// zoom z shows the tiles of zoom z - 1); they stop at the server's last zoom, and closer the
// last zoom's tile is drawn larger (still sharp: vectors). Same look as MapLibre's
// (basemap-look.js).
/* global L */
import { LOOK, MAJOR_ROADS, ZOOMS } from "./basemap-look.js";
import { decodeTile } from "./mvt.js";

const MAJOR = new Set(MAJOR_ROADS);
const SIZE = 512;

function widthAt(stops, z) {
  if (z <= stops[0][0]) return stops[0][1];
  for (let i = 1; i < stops.length; i += 1) {
    const [z1, w1] = stops[i];
    const [z0, w0] = stops[i - 1];
    if (z <= z1) return w0 + ((w1 - w0) * (z - z0)) / (z1 - z0);
  }
  return stops[stops.length - 1][1];
}

function path(ctx, rings, project, close) {
  ctx.beginPath();
  for (const ring of rings) {
    ring.forEach(([x, y], i) => {
      const [px, py] = project(x, y);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    if (close) ctx.closePath();
  }
}

// The longest straight piece of a line inside the tile: where its name goes.
function longestSegment(rings, project, size) {
  let best = null;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i += 1) {
      const [ax, ay] = project(...ring[i - 1]);
      const [bx, by] = project(...ring[i]);
      const mx = (ax + bx) / 2;
      const my = (ay + by) / 2;
      if (mx < 0 || my < 0 || mx > size || my > size) continue;
      const length = Math.hypot(bx - ax, by - ay);
      if (!best || length > best.length) best = { length, mx, my, ax, ay, bx, by };
    }
  }
  return best;
}

class Labels {
  constructor(tile, size) {
    this.tile = tile;
    this.size = size;
    this.boxes = [];
  }

  // A label of `text` centred at (x, y), turned by `angle`; skipped when it would leave the
  // tile or cover another one.
  add(text, x, y, { angle = 0, className, colour, width }) {
    const w = width ?? text.length * 6.6 + 6;
    const h = 16;
    const cos = Math.abs(Math.cos(angle));
    const sin = Math.abs(Math.sin(angle));
    const bw = w * cos + h * sin;
    const bh = w * sin + h * cos;
    const box = [x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2];
    if (box[0] < 1 || box[1] < 1 || box[2] > this.size - 1 || box[3] > this.size - 1) return;
    if (this.boxes.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) {
      return;
    }
    this.boxes.push(box);
    const span = document.createElement("span");
    span.className = `basemap-label ${className}`;
    span.textContent = text;  // names are data: text, never markup
    span.style.left = `${x}px`;
    span.style.top = `${y}px`;
    span.style.transform = `translate(-50%, -50%) rotate(${angle}rad)`;
    if (colour) span.style.color = colour;
    this.tile.append(span);
  }
}

function draw(tile, canvas, layers, coords, maxZoom, online) {
  const size = SIZE;
  const zoom = coords.z;
  const ctx = canvas.getContext("2d");
  ctx.scale(canvas.width / size, canvas.height / size);  // sharp on high-density screens
  const scale = 2 ** Math.max(0, zoom - 1 - maxZoom);
  const offX = (coords.x % scale) * size;
  const offY = (coords.y % scale) * size;
  const labels = new Labels(tile, size);
  const layer = (name) => layers[name] || { extent: 4096, features: [] };
  if (!online) {
    ctx.fillStyle = LOOK.background;
    ctx.fillRect(0, 0, size, size);
  }
  const projectFor = (extent) => {
    const k = (size * scale) / extent;
    return (x, y) => [x * k - offX, y * k - offY];
  };

  if (!online) {
    const places = layer("places");
    const project = projectFor(places.extent);
    for (const f of places.features) {
      path(ctx, f.geometry, project, true);
      ctx.globalAlpha = LOOK.placeOpacity;
      ctx.fillStyle = f.properties.colour || "#64748b";
      ctx.fill("evenodd");
      ctx.globalAlpha = 0.5;
      ctx.strokeStyle = f.properties.colour || "#64748b";
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
  if (zoom >= ZOOMS.parcels) {
    const parcels = layer("parcels");
    const project = projectFor(parcels.extent);
    ctx.strokeStyle = LOOK.parcel;
    ctx.lineWidth = widthAt([[15, 0.6], [18, 1.5]], zoom);
    for (const f of parcels.features) {
      path(ctx, f.geometry, project, true);
      ctx.stroke();
    }
    tile.dataset.parcels = String(parcels.features.length);  // what the tests count
  }
  const streets = layer("streets");
  if (!online) {
    const project = projectFor(streets.extent);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const pass of ["casing", "fill"]) {
      for (const f of streets.features) {
        const major = MAJOR.has(f.properties.kind);
        const w = widthAt(major ? LOOK.majorWidth : LOOK.streetWidth, zoom);
        ctx.strokeStyle = pass === "casing" ? (major ? LOOK.majorCasing : LOOK.streetCasing)
          : (major ? LOOK.major : LOOK.street);
        ctx.lineWidth = pass === "casing" ? w + (major ? 2 : 1.5) : w;
        path(ctx, f.geometry, project, false);
        ctx.stroke();
      }
    }
    // Names: the major roads' first, then the others, along their longest piece in the tile.
    const named = streets.features.filter((f) => f.properties.name
      && (MAJOR.has(f.properties.kind) ? zoom >= ZOOMS.majorLabels : zoom >= ZOOMS.streetLabels));
    named.sort((a, b) => MAJOR.has(b.properties.kind) - MAJOR.has(a.properties.kind));
    for (const f of named) {
      const text = f.properties.name;
      const seg = longestSegment(f.geometry, project, size);
      if (!seg || seg.length < text.length * 6.6 * 0.6) continue;
      let angle = Math.atan2(seg.by - seg.ay, seg.bx - seg.ax);
      if (angle > Math.PI / 2) angle -= Math.PI;
      if (angle < -Math.PI / 2) angle += Math.PI;
      labels.add(text, seg.mx, seg.my, { angle, className: "basemap-label--street" });
    }
    if (zoom >= ZOOMS.placeLabels) {
      const places = layer("place_labels");
      const projectPlace = projectFor(places.extent);
      for (const f of places.features) {
        const [x, y] = projectPlace(...f.geometry[0][0]);
        labels.add(f.properties.name, x, y, { className: "basemap-label--place",
                                             colour: f.properties.colour });
      }
    }
  }
  if (zoom >= ZOOMS.numbers) {
    const numbers = layer("addresses");
    const project = projectFor(numbers.extent);
    for (const f of numbers.features) {
      const [x, y] = project(...f.geometry[0][0]);
      labels.add(f.properties.number, x, y, { className: "basemap-label--number",
                                              width: f.properties.number.length * 6 + 4 });
    }
  }
  return { names: online || tile.querySelector(".basemap-label--street") !== null,
           parcels: layer("parcels").features.length > 0 };
}

const CanvasBasemap = L.GridLayer.extend({
  options: { tileSize: SIZE, updateWhenZooming: false, className: "basemap-canvas" },

  initialize(basemap, options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this.basemap = basemap;
  },

  createTile(coords, done) {
    const tile = document.createElement("div");
    // A picture of the town: the names repeat the map for the eye; the pages' text (search,
    // lists) is the path for screen readers.
    tile.setAttribute("aria-hidden", "true");
    const canvas = document.createElement("canvas");
    const density = Math.min(window.devicePixelRatio || 1, 3);
    canvas.width = SIZE * density;
    canvas.height = SIZE * density;
    canvas.style.width = `${SIZE}px`;
    canvas.style.height = `${SIZE}px`;
    tile.append(canvas);
    const { minZoom, maxZoom, tiles } = this.basemap;
    if (coords.z - 1 < minZoom) {
      setTimeout(() => done(null, tile));
      return tile;
    }
    const scale = 2 ** Math.max(0, coords.z - 1 - maxZoom);
    const z = Math.min(coords.z - 1, maxZoom);
    const x = Math.floor(coords.x / scale);
    const y = Math.floor(coords.y / scale);
    const url = tiles.replace("{z}", z).replace("{x}", x).replace("{y}", y);
    fetch(url)
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${url}: ${r.status}`))))
      .then((buffer) => {
        const drawn = draw(tile, canvas, decodeTile(new Uint8Array(buffer)), coords, maxZoom,
                           this.options.online);
        done(null, tile);
        if (drawn.names && (drawn.parcels || coords.z < ZOOMS.parcels)) this.fire("firstdrawn");
      })
      .catch((error) => done(error, tile));
    return tile;
  },
});

export function canvasBasemap(basemap, options) {
  return new CanvasBasemap(basemap, options);
}
