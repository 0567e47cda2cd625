"""The Open data page (/data, web/pages/open_data.py) and its downloads (/data/<file>, web/data_route.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from decarb_dashboard import open_data
from decarb_dashboard.web import create_app, data, footer
from decarb_dashboard.web.pages.open_data import layout
from tests.conftest import shown_texts
from tests.test_open_data import _small_store
from tests.web.conftest import as_account

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch):
    for name in ("DECARB_PUBLISH", "DECARB_DATA_LICENCE", "DECARB_DATA_LICENCE_CY", "DECARB_DATA_LICENCE_URL",
                 "DECARB_SERVICE_OWNER", "DECARB_SERVICE_OWNER_CY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(data, "REBUILD_INTERVAL_S", 0.0)


def links(component: object, out: dict[str, str] | None = None) -> dict[str, str]:
    """{link text: address} of every link."""
    out = {} if out is None else out
    if isinstance(component, list | tuple):
        for c in component:
            links(c, out)
    elif hasattr(component, "children"):
        if getattr(component, "href", None):
            out[" ".join(shown_texts(component.children))] = component.href
        links(component.children, out)
    return out


def coverage_rows(page: object) -> list[list[str]]:
    """The rows of the coverage table, as shown."""
    found = []

    def walk(c: object) -> None:
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
        elif isinstance(c, dict):
            if c.get("type") == "Tr":
                found.append(shown_texts(c["props"]["children"]))
            else:
                walk(c.get("props", {}).get("children"))
        elif getattr(c, "id", None) == "data-coverage-table" or hasattr(c, "children"):
            walk(c.children)

    walk(page)
    return found


@pytest.fixture
def small_app(tmp_path):
    """The app over Cardiff 2019-20 (300 tCO2e), Newport 2019-20 (100) and Cardiff 2020-21 (two versions)."""
    store, ids = _small_store(tmp_path / "small")
    return create_app(store.root, seed=False), store, ids


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_page_gives_the_licence_its_attribution_and_the_coverage_of_each_year(small_app, lang):
    app, _, _ = small_app
    with as_account(app, None):
        page = layout(lang)
    shown = " ".join(shown_texts(page))
    found = links(page)
    licence = {"en": "Open Government Licence v3.0", "cy": "Trwydded Llywodraeth Agored v3.0"}[lang]
    assert found[licence] == OGL
    attribution = {"en": "Contains public sector information licensed under the Open Government Licence v3.0 "
                         "(Welsh Government).",
                   "cy": "Yn cynnwys gwybodaeth sector cyhoeddus a drwyddedir o dan y drwydded hon: "
                         "Trwydded Llywodraeth Agored v3.0 (Llywodraeth Cymru)."}[lang]
    assert attribution in shown
    rows = coverage_rows(page)
    # 2020-21: Cardiff alone of the 45 bodies (1/45 = 2.2%), with 300 of the 400 tCO2e of 2019-20 (75.0%);
    # 2019-20: both that have 2019-20 returns, so all of the baseline (100.0%). Newest year first.
    yes = {"en": "Yes", "cy": "Ie"}[lang]  # both years below the 80% of bodies that make a year final
    assert rows[1:] == [["2020-21", "1", "45", "2.2", "75.0", yes], ["2019-20", "2", "45", "4.4", "100.0", yes]]
    header = {"en": "Share of 2019-20 emissions (%)", "cy": "Cyfran o allyriadau 2019-20 (%)"}[lang]
    assert header in rows[0]
    lines = {"en": ("4 lines", "6 lines"), "cy": ("4 llinell", "6 llinell")}[lang]
    assert lines[0] in shown and lines[1] in shown  # current returns; every version (the superseded one too)
    assert found[{"en": "Current returns as CSV", "cy": "Ffurflenni cyfredol fel CSV"}[lang]] \
        == f"/data/returns-current.csv?lang={lang}"
    assert f"/data/returns-all-versions.parquet?lang={lang}" in found.values()
    assert f"/api?lang={lang}" in found.values()


def test_every_page_s_footer_links_the_open_data_and_the_api():
    found = links(footer("cy"))
    assert found["Data agored"] == "/data?lang=cy" and found["API"] == "/api?lang=cy"
    assert links(footer("en"))["Open data"] == "/data?lang=en"


def _csv(response) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(response.get_data().decode("utf-8-sig")), keep_default_na=False, na_values=[""])


def test_the_downloads_hold_every_current_line_and_every_version(app):
    store = data.store(app.server.config["DECARB_DATA_DIR"])
    client = app.server.test_client()
    today = dt.date.today().isoformat()
    current = client.get("/data/returns-current.csv?lang=cy")
    assert current.status_code == 200 and current.content_type == "text/csv; charset=utf-8"
    assert current.headers["Content-Disposition"] == f'attachment; filename="wales-returns-current-{today}-cy.csv"'
    versions = client.get("/data/returns-all-versions.csv")
    now, every = _csv(current), _csv(versions)
    assert len(now) == len(store.current_lines())
    assert len(every) == sum(s.line_count for s in store.submissions())  # every line of every stored submission
    # The sample data's Cardiff 2022-23 was corrected: its first version (the file of all its years) is superseded.
    cardiff = store.history("cardiff", "2022-23")
    first = cardiff[0].submission_id
    assert len(cardiff) == 2
    assert now[(now["submission_id"] == first) & (now["reporting_year"] == "2022-23")].empty
    superseded = every[(every["submission_id"] == first) & (every["reporting_year"] == "2022-23")]
    assert len(superseded) > 0 and set(superseded["version_state"]) == {"superseded"}
    dictionary = _csv(client.get("/data/dictionary.csv?lang=cy"))
    assert set(now.columns) | set(every.columns) <= set(dictionary["column"])
    welsh = dictionary.set_index("column")["description"]
    assert welsh["emissions_tco2e"].startswith("Yr allyriadau mewn tunelli o CO2 cyfatebol")
    workbook = client.get("/data/returns-all-versions.xlsx?lang=cy")
    assert workbook.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(workbook.data), read_only=True)
    assert wb.sheetnames == ["Ffurflenni", "Geiriadur", "Cwmpas", "Ynghylch"]
    assert sum(1 for _ in wb["Ffurflenni"].iter_rows(values_only=True)) == 1 + len(every)
    parquet = client.get("/data/returns-current.parquet")
    assert parquet.content_type == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(parquet.data))
    assert table.num_rows == len(now) and table.schema.metadata[b"licence_url"].decode() == OGL
    bundle = zipfile.ZipFile(io.BytesIO(client.get("/data/returns-current.zip").data))
    assert len(bundle.namelist()) == 4
    coverage = _csv(client.get("/data/coverage.csv")).set_index("reporting_year")
    assert coverage.loc["2022-23", "bodies_reported"] == 45 and coverage.loc["2022-23", "reported_pct"] == 100.0
    missing = client.get("/data/returns-everything.csv?lang=cy")
    assert missing.status_code == 404 and "Nid oes ffeil data agored o'r enw returns-everything.csv" in missing.text


def test_a_download_is_made_once_per_store_version(small_app, monkeypatch):
    app, store, _ = small_app
    client = app.server.test_client()
    calls = []
    read = open_data.all_versions
    monkeypatch.setattr(open_data, "all_versions", lambda *a: calls.append(1) or read(*a))
    first = client.get("/data/returns-all-versions.csv").data
    assert client.get("/data/returns-all-versions.csv").data == first and len(calls) == 1
    assert client.get("/data/returns-all-versions.xlsx").status_code == 200 and len(calls) == 1  # lines read once
    store.set_status(store.submissions()[0].submission_id, "accepted", actor="wg.reviewer")  # the store changed
    client.get("/data/returns-all-versions.csv")
    assert len(calls) == 2


def test_only_accepted_returns_are_published_when_the_setting_says_so(small_app, monkeypatch):
    app, store, ids = small_app
    store.set_status(ids[2], "accepted", actor="wg.reviewer")  # Cardiff 2020-21's first version; the second awaits
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    client = app.server.test_client()
    now = _csv(client.get("/data/returns-current.csv"))
    every = _csv(client.get("/data/returns-all-versions.csv"))
    assert set(now["submission_id"]) == set(every["submission_id"]) == {ids[2]}  # Newport's, submitted only, absent
    assert now["emissions_tco2e"].tolist() == [280.0, 10.0]
    with as_account(app, None):
        page = layout("en")
    shown = " ".join(shown_texts(page))
    assert "Only versions Welsh Government has accepted are published" in shown and "2 lines" in shown
