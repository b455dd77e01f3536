"""Plane geometry for division areas on the map (no Django import).

Where a jurisdiction has no surveyed boundaries (the demo county, a fresh install), the
township areas are drawn as the Voronoi cells of their centres inside the county's
bounding box: each point of the county belongs to the nearest township centre. Cells
are built by clipping the box with the half-planes "nearer to this centre than to that
one" (Sutherland–Hodgman), exact enough for a map with a dozen townships. Coordinates are
(longitude, latitude) pairs; distances use longitude scaled by cos(latitude) so cells
are not stretched east–west.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]


def _clip(polygon: list[Point], a: float, b: float, c: float) -> list[Point]:
    """The part of `polygon` where a·x + b·y <= c."""
    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(
    sites: Sequence[Point], box: tuple[float, float, float, float]
) -> list[list[Point]]:
    """One polygon (counter-clockwise ring, not closed) per site: the points of `box`
    (min_lon, min_lat, max_lon, max_lat) nearer to that site than to any other."""
    min_x, min_y, max_x, max_y = box
    k = math.cos(math.radians((min_y + max_y) / 2))
    cells = []
    for i, (sx, sy) in enumerate(sites):
        cell: list[Point] = [(min_x, min_y), (max_x, min_y), (max_x, max_y), (min_x, max_y)]
        for j, (tx, ty) in enumerate(sites):
            if i == j or (sx, sy) == (tx, ty):
                continue
            # |P−S|² <= |P−T|² with x scaled by k  ⇔  a·x + b·y <= c
            a, b = 2 * k * k * (tx - sx), 2 * (ty - sy)
            c = k * k * (tx * tx - sx * sx) + (ty * ty - sy * sy)
            cell = _clip(cell, a, b, c)
            if not cell:
                break
        cells.append(cell)
    return cells


def contains(polygon: Sequence[Point], point: Point) -> bool:
    """Whether `point` lies inside `polygon` (ray casting; the edge counts as inside for
    the convex cells built here only approximately, which is fine for placing dots)."""
    x, y = point
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def centroid(polygon: Sequence[Point]) -> Point:
    """The area centroid of a simple polygon (where its name is written)."""
    area = cx = cy = 0.0
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-15:
        xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
        return (sum(xs) / n, sum(ys) / n)
    return (cx / (3 * area), cy / (3 * area))


def as_geojson(polygon: Sequence[Point], places: int = 5) -> dict:
    """A GeoJSON Polygon (closed ring) with coordinates rounded to `places` (~1 m)."""
    ring = [[round(x, places), round(y, places)] for x, y in polygon]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}
