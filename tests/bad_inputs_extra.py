"""More bad inputs: boundary files, crosswalks, hostile cells. Same shape as ``bad_inputs``.

Each entry is a small file written from ``text`` (GeoJSON and CSV are text); ``table`` says
what reads it: ``"boundaries"`` (:func:`analysis.inputs.boundaries.read_boundaries`, code column
``commune_code``), ``"crosswalk"`` (:func:`analysis.inputs.crosswalk.read_crosswalk`) or a data
table (:func:`analysis.inputs.validate.validate_table`). ``tests/bad_inputs_doc.py`` runs them with
the catalogue of ``bad_inputs`` to write ``docs/bad-inputs.md``; ``tests/test_bad_inputs_doc.py``
checks each message. The coordinates and codes were chosen by hand; the comments say what
each one is.
"""

from __future__ import annotations

import json

from tests.bad_inputs import FIN_HEADER, GOOD_FIN, BadInput

#: A 0.01° square near Chi Lăng (Lạng Sơn), longitude then latitude.
SQUARE = [[106.50, 21.50], [106.51, 21.50], [106.51, 21.51], [106.50, 21.51], [106.50, 21.50]]
#: The same square in VN-2000 / UTM 48N metres (pyproj, rounded to the metre).
SQUARE_M = [[655185, 2378339], [656221, 2378349], [656210, 2379456], [655174, 2379446], [655185, 2378339]]


def geojson(features: list[tuple[dict, dict | None]], crs: str | None = None) -> str:
    """A FeatureCollection from (properties, geometry) pairs, with a ``crs`` member if given."""
    doc = {"type": "FeatureCollection",
           "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}}
    return json.dumps(doc, ensure_ascii=False)


def polygon(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def shifted(ring: list[list[float]], dx: float) -> list[list[float]]:
    return [[x + dx, y] for x, y in ring]


def swapped(ring: list[list[float]]) -> list[list[float]]:
    return [[y, x] for x, y in ring]


CODE = {"commune_code": "06481", "commune_name": "Xã Chiến Thắng"}
CODE2 = {"commune_code": "06484", "commune_name": "Xã Bắc Thủy"}

BOUNDARIES = [
    BadInput("boundaries: no coordinate reference system", "boundaries",
             'WKT,commune_code\n"POLYGON ((106.5 21.5,106.51 21.5,106.51 21.51,106.5 21.51,106.5 21.5))",06481',
             ("has no coordinate reference system", "ogr2ogr -a_srs EPSG:4326"), suffix=".csv"),
    BadInput("boundaries: latitude and longitude swapped", "boundaries",
             geojson([(CODE, polygon(swapped(SQUARE)))]), ("look swapped", "Swap X and Y"), suffix=".geojson"),
    BadInput("boundaries: metres in a file that declares degrees", "boundaries",
             geojson([(CODE, polygon(SQUARE_M))]), ("not degrees", "-a_srs EPSG:3405"), suffix=".geojson"),
    BadInput("boundaries: degrees in a file that declares metres (EPSG:3405)", "boundaries",
             geojson([(CODE, polygon(SQUARE))], crs="EPSG:3405"), ("look like degrees", "-a_srs EPSG:4326"),
             suffix=".geojson"),
    BadInput("boundaries: a CRS that puts the file outside Vietnam (metres declared as EPSG:3857)", "boundaries",
             geojson([(CODE, polygon(SQUARE_M))], crs="EPSG:3857"), ("lies outside Vietnam", "only assign"),
             suffix=".geojson"),
    BadInput("boundaries: easting and northing swapped (EPSG:3405)", "boundaries",
             geojson([(CODE, polygon(swapped(SQUARE_M)))], crs="EPSG:3405"), ("look swapped",), suffix=".geojson"),
    BadInput("boundaries: commune codes stored as numbers (leading zero lost)", "boundaries",
             geojson([({"commune_code": 6481}, polygon(SQUARE))]), ("lost their leading zeros", "as text"),
             suffix=".geojson"),
    BadInput("boundaries: the same code on two features", "boundaries",
             geojson([(CODE, polygon(SQUARE)), (CODE, polygon(shifted(SQUARE, 0.01)))]),
             ("same commune code", "06481 (features 1, 2)"), suffix=".geojson"),
    BadInput("boundaries: a feature without geometry", "boundaries",
             geojson([(CODE, polygon(SQUARE)), (CODE2, None)]), ("no geometry", "features 2"), suffix=".geojson"),
    BadInput("boundaries: points (commune centres) instead of polygons", "boundaries",
             geojson([(CODE, {"type": "Point", "coordinates": [106.505, 21.505]})]), ("not polygons",),
             suffix=".geojson"),
    BadInput("boundaries: a polygon with no area (corners on one line)", "boundaries",
             geojson([(CODE, polygon([[106.5, 21.5], [106.51, 21.51], [106.52, 21.52], [106.5, 21.5]]))]),
             ("polygons with no area",), suffix=".geojson"),
    BadInput("boundaries: no commune code column", "boundaries",
             geojson([({"ma_xa": "06481"}, polygon(SQUARE))]), ("has no column 'commune_code'", "--code-column"),
             suffix=".geojson"),
    BadInput("boundaries: values that are not commune codes", "boundaries",
             geojson([({"commune_code": "Chiến Thắng"}, polygon(SQUARE))]), ("not 5-digit GSO commune codes",),
             suffix=".geojson"),
    BadInput("boundaries: not a vector file", "boundaries", "this is not GeoJSON", ("cannot be read",),
             suffix=".geojson"),
]

CROSSWALKS = [
    BadInput("crosswalk: codes lost their leading zeros", "crosswalk", "old_code,new_code\n6334,6343",
             ("lost their leading zeros", "format both code columns as Text"), row=2, column="old_code"),
    BadInput("crosswalk: an old commune merged into two", "crosswalk",
             "old_code,new_code\n06334,06343\n06334,06346", ("merged into two different communes",), row=2,
             column="old_code"),
    BadInput("crosswalk: merges that go round in a circle", "crosswalk", "old_code,new_code\n06334,06343\n06343,06334",
             ("go round in a circle",), row=2, column="new_code"),
    BadInput("crosswalk: a name where a code should be", "crosswalk", "old_code,new_code\nXã Quỳnh Sơn,06343",
             ("not 5-digit GSO commune codes",), row=2, column="old_code"),
    BadInput("crosswalk: an empty cell", "crosswalk", "old_code,new_code\n06334,", ("empty code cell",), row=2,
             column="new_code"),
    BadInput("crosswalk: no old_code/new_code header", "crosswalk", "from,to\n06334,06343",
             ("must name the columns old_code, new_code",)),
]

HOSTILE = [
    BadInput("hostile: markup in a project cell", "finance",
             FIN_HEADER + "\n" + GOOD_FIN.replace("DA4", "<script>alert(1)</script>"),
             ("'<script>alert(1)</script>' is not a project code",), row=2, column="project"),
    BadInput("hostile: markup and a pipe in a code cell", "finance",
             FIN_HEADER + "\n" + GOOD_FIN.replace("04231", '"<img src=x onerror=alert(1)>|"'),
             ("commune_code is not a GSO code",), row=2, column="commune_code"),
]

EXTRA = [*BOUNDARIES, *CROSSWALKS, *HOSTILE]
