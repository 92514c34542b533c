"""Where a reported point lies: inside the municipality, and in which INEGI locality.

Plain shapely on the INEGI polygons (lon/lat), so the default SQLite set-up needs no GIS
libraries. The municipal boundary is a file shipped with the project; locality polygons
live in the database with the rest of the territory.
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import shape

DATA_DIR = Path(__file__).resolve().parent / "data"
BOUNDARY_FILE = DATA_DIR / "metepec_municipio_inegi.geojson"
COORDINATE_STEP = Decimal("0.000001")


@lru_cache(maxsize=1)
def municipal_boundary():
    with open(BOUNDARY_FILE, encoding="utf-8") as handle:
        feature = json.load(handle)["features"][0]
    geometry = shape(feature["geometry"])
    shapely.prepare(geometry)
    return geometry


def inside_municipality(latitude, longitude) -> bool:
    # contains_xy on a prepared geometry: no Point object per call (imports test 100,000s).
    return bool(shapely.contains_xy(municipal_boundary(), float(longitude), float(latitude)))


@lru_cache(maxsize=1)
def _locality_shapes():
    from tickets.models import Locality

    shapes = []
    for loc in Locality.objects.all():
        geometry = shape(loc.geometry)
        shapely.prepare(geometry)
        shapes.append((loc.pk, geometry.bounds, geometry))
    return shapes


def forget_localities():
    """Called when a locality changes, so the next lookup reloads the polygons."""
    _locality_shapes.cache_clear()


def locality_id_for(latitude, longitude):
    """The id of the INEGI locality containing the point, or None (rural areas)."""
    x, y = float(longitude), float(latitude)
    for pk, (min_x, min_y, max_x, max_y), polygon in _locality_shapes():
        # Bounding boxes first: most localities are far from any one point (bulk imports
        # place hundreds of thousands of points).
        if min_x <= x <= max_x and min_y <= y <= max_y and shapely.contains_xy(polygon, x, y):
            return pk
    return None


def quantize(value):
    return None if value is None else Decimal(str(value)).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


# Published points (open data, APIs) are rounded to 4 decimals, about 10 m: enough to find a
# pothole, not enough to single out a house as precisely as the reporter's phone did.
PUBLIC_PLACES = 4
PUBLIC_STEP = Decimal(1).scaleb(-PUBLIC_PLACES)


def public_coordinate(value):
    """A coordinate as published: half away from zero, as PostgreSQL's round()."""
    return None if value is None else Decimal(value).quantize(PUBLIC_STEP, rounding=ROUND_HALF_UP)
