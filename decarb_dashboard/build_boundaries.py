"""Regenerate the shipped map of Wales, ``data/wales_boundaries.geojson``, from the published boundaries.

Run ``python -m decarb_dashboard.build_boundaries [GEOJSON]`` (default: the shared reference
pack's ``boundaries/wales_local_authorities_2013.geojson``, ONS's generalised clipped boundaries of
the 22 councils, 1.5 MB). The councils are simplified together as one topology (``topojson``), so
that neighbours keep one shared border with neither gaps nor overlaps; islands smaller than
:data:`MIN_PART_DEG2` go; each health board's area is the union (``shapely``) of its councils'
simplified areas, as ``uploads_schema/vocabulary/health_board_areas.csv`` says. Each feature has
``ons_code`` (the register's ``ons_code``) and ``level`` (``council`` or ``health_board``);
coordinates stay longitude and latitude (WGS84), to :data:`DIGITS` decimals (about 100 m).

Only this script needs ``topojson`` and ``shapely`` (the ``test`` extra installs them, for the
test that checks the shipped file is what this script makes); the dashboard reads the file with
``json``. The boundaries carry the attribution of :data:`decarb_dashboard.web.map.ATTRIBUTION_KEY`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from uploads_schema.vocabulary import vocabulary

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "boundaries" / \
    "wales_local_authorities_2013.geojson"
SHIPPED = Path(__file__).resolve().parent / "data" / "wales_boundaries.geojson"
#: How far (degrees) a simplified border may stray from the published one: about 400 m, invisible on a page.
TOLERANCE_DEG = 0.005
#: Islands smaller than this (square degrees, about 1.5 km2) are left out: at a page's size they are a dot.
MIN_PART_DEG2 = 2e-4
#: Decimals of longitude and latitude kept (0.001 degree: about 70 m east-west, 110 m north-south).
DIGITS = 3
#: The published file's column of ONS codes.
CODE_PROPERTY = "LAD13CD"


def _parts(geometry: object) -> list:
    """The polygons of a (multi)polygon, large enough to draw."""
    polygons = list(getattr(geometry, "geoms", [geometry]))
    return [p for p in polygons if p.area >= MIN_PART_DEG2]


def _feature(code: str, level: str, polygons: list) -> dict:
    rings = [[[[round(x, DIGITS), round(y, DIGITS)] for x, y in p.exterior.coords]] for p in polygons]
    return {"type": "Feature", "properties": {"ons_code": code, "level": level},
            "geometry": {"type": "MultiPolygon", "coordinates": rings}}


def build(source: Path = SOURCE) -> dict:
    """Return the simplified boundaries of the councils and health boards of Wales as a GeoJSON FeatureCollection.

    Raises ValueError when the source lacks a council of ``health_board_areas.csv`` or holds one it does not name.
    """
    import shapely
    import topojson
    from shapely.geometry import shape

    published = json.loads(source.read_text("utf-8"))
    features = [{"type": "Feature", "properties": {"ons_code": f["properties"][CODE_PROPERTY]},
                 "geometry": f["geometry"]} for f in published["features"]]
    areas = vocabulary().health_board_areas
    found = {f["properties"]["ons_code"] for f in features}
    if found != set(areas):
        raise ValueError(f"{source}: councils {sorted(found ^ set(areas))} are in one of the file and "
                         "uploads_schema/vocabulary/health_board_areas.csv but not the other")
    topology = topojson.Topology({"type": "FeatureCollection", "features": features}, prequantize=False,
                                 toposimplify=TOLERANCE_DEG)
    simplified = {f["properties"]["ons_code"]: shape(f["geometry"])
                  for f in json.loads(topology.to_geojson())["features"]}
    out = [_feature(code, "council", _parts(simplified[code])) for code in sorted(simplified)]
    for board in sorted(set(areas.values())):
        union = shapely.union_all([simplified[c].buffer(0) for c, b in areas.items() if b == board])
        out.append(_feature(board, "health_board", _parts(union)))
    return {"type": "FeatureCollection", "features": out}


def dumps(collection: dict) -> str:
    """The file's text: one feature a line, no spaces, so that it stays small and a change shows in a diff."""
    lines = ",\n".join(json.dumps(f, separators=(",", ":")) for f in collection["features"])
    return '{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``data/wales_boundaries.geojson`` from the published boundaries."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else SOURCE
    text = dumps(build(source))
    SHIPPED.write_text(text, "utf-8")
    print(f"wrote {len(text.encode()) // 1000} kB of boundaries to {SHIPPED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
