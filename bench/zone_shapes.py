"""Zone polygons for the synthetic town: strips whose boundaries follow its streets.

A boundary between two strips runs along the street centre lines (never through a lot): for
each block row it sits on the street left of some block column (a "cut"), and it jogs along the
cross street when the cut changes from one row to the next, a staircase as real sector limits
make. Lines are densified to a vertex every few metres, each intermediate vertex moved up to
JITTER_M sideways (streets are not ruler-straight; the street is 15 m wide and the address
points stand 17.5 m or more from its centre line, so no point changes side). Neighbouring strips
share the very same boundary vertices, so a partition has no gap and no overlap.

Coordinates are (across, along): for vertical strips across is x and along is y; for horizontal
strips the grid is transposed (`Grid.swap`)."""
import math
import random
from dataclasses import dataclass

import synthetic_town as town

JITTER_M = 2.0
MARGIN_M = 100  # the territory (geo_territory) is the town's extent plus 100 m


@dataclass(frozen=True)
class Grid:
    across: tuple  # street centre lines across the strips, one left of each block column + 1
    along: tuple  # street centre lines along them, one below each block row + 1
    lo: tuple  # territory corner (across, along)
    hi: tuple
    swap: bool  # True: across is y (horizontal strips)

    @property
    def cols(self) -> int:
        return len(self.across) - 1

    @property
    def rows(self) -> int:
        return len(self.along) - 1

    def xy(self, points) -> list:
        return [(b, a) for a, b in points] if self.swap else list(points)


def grid(lay: town.Layout, horizontal: bool = False) -> Grid:
    half = town.STREET / 2
    xs = tuple(lay.x0 + c * town.PITCH_X - half for c in range(lay.blocks_x + 1))
    ys = tuple(lay.y0 + r * town.PITCH_Y - half for r in range(lay.blocks_y + 1))
    x1, y1 = lay.x0 + lay.blocks_x * town.PITCH_X, lay.y0 + lay.blocks_y * town.PITCH_Y
    lo, hi = (lay.x0 - MARGIN_M, lay.y0 - MARGIN_M), (x1 + MARGIN_M, y1 + MARGIN_M)
    if horizontal:
        return Grid(ys, xs, lo[::-1], hi[::-1], True)
    return Grid(xs, ys, lo, hi, False)


def max_strips(g: Grid) -> int:
    """Strips need two block columns each (a one-column strip whose two boundaries step over
    together would pinch to a point at the step), plus two spare columns for the stair step and
    the draft shift."""
    return max(1, (g.cols - 3) // 2)


def base_cuts(g: Grid, n: int) -> list[int]:
    """The block column left of which each of the n - 1 inner boundaries runs, evenly spread
    over cols - 3 columns (every strip keeps at least two columns when n <= max_strips)."""
    width = (g.cols - 3) / n
    return [math.floor((k + 1) * width + 0.5) for k in range(n - 1)]


def cuts_per_row(g: Grid, base: list[int], stair_rows: int, shifted=frozenset()) -> list:
    """cuts[k][r]: every boundary steps one column over in alternate bands of `stair_rows` rows,
    and one more in the `shifted` rows (the draft); all boundaries move together, so strips keep
    their width."""
    return [[b + (r // stair_rows) % 2 + (r in shifted) for r in range(g.rows)] for b in base]


def boundary(g: Grid, cuts: list[int]) -> list[tuple]:
    """The staircase corners of one boundary, from the territory's low edge to its high edge."""
    a = g.across
    pts = [(a[cuts[0]], g.lo[1])]
    for r in range(1, g.rows):
        if cuts[r] != cuts[r - 1]:
            pts += [(a[cuts[r - 1]], g.along[r]), (a[cuts[r]], g.along[r])]
    pts.append((a[cuts[-1]], g.hi[1]))
    return pts


def densify(corners: list[tuple], spacing: float, rng: random.Random) -> list[tuple]:
    """Corners kept exactly; a vertex every `spacing` metres between them, moved sideways."""
    out = [corners[0]]
    for (ax, ay), (bx, by) in zip(corners, corners[1:], strict=False):
        length = math.hypot(bx - ax, by - ay)
        parts = max(1, math.ceil(length / spacing))
        nx, ny = (ay - by) / length, (bx - ax) / length  # unit normal
        for i in range(1, parts):
            t, j = i / parts, rng.uniform(-JITTER_M, JITTER_M)
            out.append((ax + t * (bx - ax) + j * nx, ay + t * (by - ay) + j * ny))
        out.append((bx, by))
    return out


def strips(g: Grid, cuts: list, vertices: int, seed: int) -> list[list[tuple]]:
    """Closed rings (x, y) of the len(cuts) + 1 strips, about `vertices` vertices each."""
    rng = random.Random(seed)
    n = len(cuts) + 1
    height, width = g.hi[1] - g.lo[1], g.hi[0] - g.lo[0]
    spacing = (2 * height + 2 * width / n) / vertices
    lines = [densify([(g.lo[0], g.lo[1]), (g.lo[0], g.hi[1])], spacing, rng)]
    lines += [densify(boundary(g, c), spacing, rng) for c in cuts]
    lines.append(densify([(g.hi[0], g.lo[1]), (g.hi[0], g.hi[1])], spacing, rng))
    rings = []
    for left, right in zip(lines, lines[1:], strict=False):
        top = densify([left[-1], right[-1]], spacing, rng)
        bottom = densify([right[0], left[0]], spacing, rng)
        ring = left + top[1:-1] + right[::-1] + bottom[1:]
        rings.append(g.xy(ring))
    return rings


def strip_of(cuts: list, col: int, row: int) -> int:
    """Which strip a block (column, row) is in: the number of boundaries left of it."""
    return sum(1 for c in cuts if c[row] <= col)


def shifted_rows(rows: int, fraction: float, band: int) -> frozenset:
    """About `fraction` of the rows, in whole bands of `band` rows evenly spread. The bands start
    one row after a multiple of `band`, never where a stair step is (an even multiple of it):
    a boundary then moves one column at a time, less than a strip's width."""
    return frozenset(r for r in range(rows)
                     if int(((r - 1) // band + 1) * fraction) > int((r - 1) // band * fraction))
