"""Township areas as Voronoi cells of their centres: they tile the county's box without
overlap, each holds its own centre, and every point lies in the cell of its nearest
centre."""

import math
import random

import pytest

from anjian.registry import geometry

BOX = (119.5, 30.5, 119.9, 30.8)


def area(poly):
    return abs(
        sum(
            poly[i][0] * poly[(i + 1) % len(poly)][1] - poly[(i + 1) % len(poly)][0] * poly[i][1]
            for i in range(len(poly))
        )
        / 2
    )


def test_given_one_site_then_its_cell_is_the_box():
    (cell,) = geometry.voronoi_cells([(119.7, 30.6)], BOX)
    assert area(cell) == pytest.approx((BOX[2] - BOX[0]) * (BOX[3] - BOX[1]))


@pytest.mark.parametrize("seed", range(5))
def test_given_sites_then_cells_tile_the_box_and_points_fall_to_the_nearest(seed):
    rng = random.Random(seed)
    sites = [(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])) for _ in range(9)]
    cells = geometry.voronoi_cells(sites, BOX)
    total = (BOX[2] - BOX[0]) * (BOX[3] - BOX[1])
    assert sum(area(c) for c in cells) == pytest.approx(total, rel=1e-9)
    for site, cell in zip(sites, cells, strict=True):
        assert geometry.contains(cell, site)
    k = math.cos(math.radians((BOX[1] + BOX[3]) / 2))
    for _ in range(200):
        p = (rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3]))
        nearest = min(
            range(len(sites)),
            key=lambda i: (k * (p[0] - sites[i][0])) ** 2 + (p[1] - sites[i][1]) ** 2,
        )
        inside = [i for i, c in enumerate(cells) if geometry.contains(c, p)]
        assert inside == [nearest]


def test_given_a_cell_then_geojson_ring_is_closed_and_centroid_inside():
    cells = geometry.voronoi_cells([(119.6, 30.6), (119.8, 30.7)], BOX)
    shape = geometry.as_geojson(cells[0])
    ring = shape["coordinates"][0]
    assert shape["type"] == "Polygon" and ring[0] == ring[-1]
    assert geometry.contains(cells[0], geometry.centroid(cells[0]))
