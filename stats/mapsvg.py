"""The localities map as inline SVG, drawn on the server: no JavaScript, no tiles, readable
by screen readers through its table, a few kilobytes."""

from functools import lru_cache

from shapely.geometry import shape

WIDTH = 600
CLASSES = 5


@lru_cache(maxsize=4)
def _shapes(localities_key):
    """Simplified polygons of the localities, projected to SVG coordinates."""
    from tickets.models import Locality

    geometries = {loc.cvegeo: shape(loc.geometry).simplify(0.0002) for loc in Locality.objects.all()}
    bounds = [g.bounds for g in geometries.values()]
    min_x, min_y = min(b[0] for b in bounds), min(b[1] for b in bounds)
    max_x, max_y = max(b[2] for b in bounds), max(b[3] for b in bounds)
    scale = WIDTH / (max_x - min_x)
    height = (max_y - min_y) * scale * 1.06  # ~1/cos(19.25°): keeps the shapes' proportions

    def project(x, y):
        return round((x - min_x) * scale, 1), round((max_y - y) * scale * 1.06, 1)

    paths = {}
    for cvegeo, geometry in geometries.items():
        polygons = getattr(geometry, "geoms", [geometry])
        parts = []
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                points = [project(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
        paths[cvegeo] = " ".join(parts)
    return paths, round(height, 1)


def choropleth(rows):
    """SVG-ready shapes: [{cvegeo, name, path, klass, value}], the height and the legend."""
    from tickets.models import Locality

    key = tuple(Locality.objects.order_by("cvegeo").values_list("cvegeo", flat=True))
    paths, height = _shapes(key)
    values = sorted(r["por_mil_habitantes"] for r in rows if r.get("por_mil_habitantes") is not None)
    # Quantile classes: each colour holds about the same number of localities.
    limits = [values[min(len(values) - 1, len(values) * (i + 1) // CLASSES)] for i in range(CLASSES)] if values else []
    by_code = {r["cvegeo"]: r for r in rows if r.get("cvegeo")}
    shapes = []
    for cvegeo, path in paths.items():
        row = by_code.get(cvegeo)
        value = row["por_mil_habitantes"] if row else None
        klass = "sin-dato" if value is None else f"q{next(i for i, limit in enumerate(limits) if value <= limit)}"
        shapes.append(
            {"cvegeo": cvegeo, "name": row["name"] if row else cvegeo, "path": path, "klass": klass, "value": value}
        )
    legend = []
    lower = 0
    for i, limit in enumerate(limits):
        legend.append({"klass": f"q{i}", "text": f"{lower:g} a {limit:g}"})
        lower = limit
    return {"shapes": shapes, "width": WIDTH, "height": height, "legend": legend}
