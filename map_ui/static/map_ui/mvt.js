// A small reader of Mapbox Vector Tiles (version 2.1: github.com/mapbox/vector-tile-spec) for the
// canvas basemap: decodeTile(bytes) gives { layerName: { extent, features: [{ type, properties,
// geometry }] } }, a geometry as rings (lines, polygon rings, or single points) of [x, y] in
// tile units (0..extent).

class Reader {
  constructor(bytes, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  varint() {
    let result = 0;
    let shift = 1;
    for (;;) {
      const byte = this.bytes[this.pos];
      this.pos += 1;
      result += (byte & 0x7f) * shift;  // no bitwise ops past 32 bits
      if (byte < 0x80) return result;
      shift *= 128;
    }
  }

  // Each (field, wire type, reader of a length-delimited value or the scalar) of a message.
  *fields() {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        yield [field, this.varint()];
      } else if (wire === 2) {
        const length = this.varint();
        const sub = new Reader(this.bytes, this.pos, this.pos + length);
        this.pos += length;
        yield [field, sub];
      } else if (wire === 5) {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4);
        this.pos += 4;
        yield [field, view.getFloat32(0, true)];
      } else if (wire === 1) {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
        this.pos += 8;
        yield [field, view.getFloat64(0, true)];
      } else {
        throw new Error(`unsupported wire type ${wire}`);
      }
    }
  }

  packed() {
    const out = [];
    while (this.pos < this.end) out.push(this.varint());
    return out;
  }

  string() {
    return new TextDecoder().decode(this.bytes.subarray(this.pos, this.end));
  }
}

const zigzag = (n) => (n % 2 ? -(n + 1) / 2 : n / 2);

function value(reader) {
  for (const [field, v] of reader.fields()) {
    if (field === 1) return v.string();
    if (field === 2 || field === 3 || field === 4 || field === 5) return v;
    if (field === 6) return zigzag(v);
    if (field === 7) return Boolean(v);
  }
  return null;
}

function geometry(commands) {
  const rings = [];
  let ring = null;
  let x = 0;
  let y = 0;
  let i = 0;
  while (i < commands.length) {
    const command = commands[i] & 7;
    const count = commands[i] >> 3;
    i += 1;
    if (command === 7) {
      if (ring && ring.length) ring.push(ring[0]);
      continue;
    }
    for (let k = 0; k < count; k += 1) {
      x += zigzag(commands[i]);
      y += zigzag(commands[i + 1]);
      i += 2;
      if (command === 1) {
        ring = [];
        rings.push(ring);
      }
      ring.push([x, y]);
    }
  }
  return rings;
}

function layer(reader) {
  const out = { name: "", extent: 4096, features: [] };
  const keys = [];
  const values = [];
  const raw = [];
  for (const [field, v] of reader.fields()) {
    if (field === 1) out.name = v.string();
    else if (field === 2) raw.push(v);
    else if (field === 3) keys.push(v.string());
    else if (field === 4) values.push(value(v));
    else if (field === 5) out.extent = v;
  }
  for (const feature of raw) {
    let tags = [];
    let type = 0;
    let commands = [];
    for (const [field, v] of feature.fields()) {
      if (field === 2) tags = v.packed();
      else if (field === 3) type = v;
      else if (field === 4) commands = v.packed();
    }
    const properties = {};
    for (let t = 0; t + 1 < tags.length; t += 2) properties[keys[tags[t]]] = values[tags[t + 1]];
    out.features.push({ type, properties, geometry: geometry(commands) });
  }
  return out;
}

export function decodeTile(bytes) {
  const layers = {};
  for (const [field, v] of new Reader(bytes).fields()) {
    if (field === 3) {
      const l = layer(v);
      layers[l.name] = l;
    }
  }
  return layers;
}
