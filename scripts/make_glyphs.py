"""Writes the basemap's glyphs (map_ui/static/map_ui/glyphs/<font>/<range>.pbf): the signed
distance fields MapLibre GL draws its labels with, so that the map needs no font server.

    make glyphs        # npm's @fontsource/noto-sans (package.json), then this script

Source: Noto Sans (SIL Open Font License 1.1; © The Noto Project Authors) as packaged by
@fontsource/noto-sans, regular (400) and bold (700), its "latin" and "latin-ext" subsets. Only
the ranges French and English names need: 0-255 (Basic Latin, Latin-1), 256-511 (Latin
Extended-A), 8192-8447 (the General Punctuation that names use: ’ “ ” – — …).

Each glyph is drawn by FreeType at 24 px and turned into a signed distance field as MapLibre's
own TinySDF does (a 3 px border, radius 8, cutoff 0.25: the edge is the value 191), then written
in the glyphs protocol buffer format (github.com/mapbox/node-fontnik, proto/glyphs.proto). The
output is deterministic: running it again writes the same bytes."""
import math
import sys
from pathlib import Path

import freetype  # freetype-py (dev dependency)

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "node_modules" / "@fontsource" / "noto-sans" / "files"
OUT = ROOT / "map_ui" / "static" / "map_ui" / "glyphs"
STACKS = {"NotoSans-Regular": 400, "NotoSans-Bold": 700}
RANGES = [(0, 255), (256, 511), (8192, 8447)]
SIZE, BUFFER, RADIUS, CUTOFF = 24, 3, 8, 0.25
INF = 1e20


def _edt1d(grid, offset, stride, length, f, v, z):
    """Felzenszwalb and Huttenlocher's 1D squared distance transform, in place (TinySDF's)."""
    v[0] = 0
    z[0] = -INF
    z[1] = INF
    f[0] = grid[offset]
    k = 0
    for q in range(1, length):
        f[q] = grid[offset + q * stride]
        q2 = q * q
        while True:
            r = v[k]
            s = (f[q] - f[r] + q2 - r * r) / (q - r) / 2
            if s <= z[k]:
                k -= 1
                if k > -1:
                    continue
            break
        k += 1
        v[k] = q
        z[k] = s
        z[k + 1] = INF
    k = 0
    for q in range(length):
        while z[k + 1] < q:
            k += 1
        r = v[k]
        qr = q - r
        grid[offset + q * stride] = f[r] + qr * qr


def _edt(grid, width, height):
    size = max(width, height)
    f, v, z = [0.0] * size, [0] * size, [0.0] * (size + 1)
    for x in range(width):
        _edt1d(grid, x, width, height, f, v, z)
    for y in range(height):
        _edt1d(grid, y * width, 1, width, f, v, z)


def sdf(alpha: list[int], w: int, h: int) -> bytes:
    """The (w + 6) x (h + 6) distance field of a w x h coverage bitmap (0-255)."""
    width, height = w + 2 * BUFFER, h + 2 * BUFFER
    outer = [INF] * (width * height)
    inner = [0.0] * (width * height)
    for y in range(h):
        for x in range(w):
            a = alpha[y * w + x] / 255
            if a == 0:
                continue
            j = (y + BUFFER) * width + x + BUFFER
            if a == 1:
                outer[j], inner[j] = 0.0, INF
            else:
                d = 0.5 - a
                outer[j] = d * d if d > 0 else 0.0
                inner[j] = d * d if d < 0 else 0.0
    _edt(outer, width, height)
    _edt(inner, width, height)
    out = bytearray(width * height)
    for i in range(width * height):
        d = math.sqrt(outer[i]) - math.sqrt(inner[i])
        out[i] = max(0, min(255, round(255 - 255 * (d / RADIUS + CUTOFF))))
    return bytes(out)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _uint(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n)


def _sint(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint((n << 1) ^ (n >> 63))  # zigzag


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _faces(weight: int):
    return [freetype.Face(str(FONTS / f"noto-sans-{subset}-{weight}-normal.woff"))
            for subset in ("latin", "latin-ext")]


def glyph(faces, code: int) -> bytes | None:
    """One `glyph` message, or None when neither subset has the character."""
    for face in faces:
        if face.get_char_index(code):
            break
    else:
        return None
    face.set_pixel_sizes(0, SIZE)
    face.load_char(chr(code), freetype.FT_LOAD_RENDER)
    g = face.glyph
    bitmap = g.bitmap
    w, h = bitmap.width, bitmap.rows
    pixels = []
    for row in range(h):
        start = row * bitmap.pitch
        pixels.extend(bitmap.buffer[start:start + w])
    msg = _uint(1, code)
    if w and h:
        msg += _bytes(2, sdf(pixels, w, h))
    # top: from the line's top as MapLibre's own TinySDF glyphs count it (ascent - 27).
    return (msg + _uint(3, w) + _uint(4, h) + _sint(5, g.bitmap_left)
            + _sint(6, g.bitmap_top - 27) + _uint(7, round(g.advance.x / 64)))


def main() -> int:
    if not FONTS.is_dir():
        print(f"{FONTS} is missing: run `npm ci` first (make glyphs does).", file=sys.stderr)
        return 1
    for stack, weight in STACKS.items():
        faces = _faces(weight)
        for start, end in RANGES:
            glyphs = [g for g in (glyph(faces, c) for c in range(start, end + 1)) if g]
            message = _bytes(1, stack.encode()) + _bytes(2, f"{start}-{end}".encode())
            message += b"".join(_bytes(3, g) for g in glyphs)
            path = OUT / stack / f"{start}-{end}.pbf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_bytes(1, message))
            print(f"{path.relative_to(ROOT)}: {len(glyphs)} glyphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
