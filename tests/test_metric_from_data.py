"""A metric added as data alone (a row of metrics.csv, its two translations and a register
column) is offered by ``decarb compare`` and by the organisation page, and worked out."""

from __future__ import annotations

import json
import shutil
from importlib import resources

import pytest

import uploads_schema.vocabulary as vocabulary_module
from decarb_dashboard import engine as engine_module
from decarb_dashboard.cli import main
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.web import create_app
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

PUPILS = {"cardiff": 50_000.0, "newport": 25_000.0}  # illustrative pupil numbers, for this test only
NAMES = {"en": ("Emissions per pupil (tCO2e per pupil)", "tCO2e per pupil"),
         "cy": ("Allyriadau fesul disgybl (tCO2e fesul disgybl)", "tCO2e fesul disgybl")}


@pytest.fixture
def per_pupil(tmp_path, monkeypatch):
    """The shipped vocabulary plus a ``per_pupil`` row, its names, and a register with ``pupils``."""
    shipped = resources.files("uploads_schema").joinpath("vocabulary")
    folder = tmp_path / "vocabulary"
    folder.mkdir()
    for f in shipped.iterdir():
        if f.name.endswith(".csv"):
            (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
    with (folder / "metrics.csv").open("a", encoding="utf-8") as f:
        f.write("per_pupil,tco2e_per_pupil,pupils,pupils,disgyblion,1,\n")
    monkeypatch.setattr(vocabulary_module, "_read", lambda name: vocabulary_module._rows(
        (folder / name).read_text("utf-8")))
    vocabulary.cache_clear()
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    for lang, (name, unit) in NAMES.items():  # the metric's two translations, as a translator would add them
        with (locale / lang / "LC_MESSAGES" / "web.po").open("a", encoding="utf-8") as f:
            f.write(f'\nmsgid "metric_per_pupil"\nmsgstr "{name}"\n\nmsgid "unit_per_pupil"\nmsgstr "{unit}"\n')
    i18n.use_locale_dir(locale)
    registry = bundled_registry().assign(pupils=lambda r: r["id"].map(PUPILS))
    monkeypatch.setattr(engine_module, "load_registry", lambda *_args: registry)
    yield
    i18n.use_locale_dir(None)
    vocabulary.cache_clear()


@pytest.fixture
def store_copy(sample_store, tmp_path):
    """A copy of the sample store, so that no engine built before the new metric is reused."""
    return shutil.copytree(sample_store.root, tmp_path / "data")


def test_decarb_compare_offers_and_works_out_a_metric_added_as_data(per_pupil, store_copy, capsys):
    assert main(["compare", "--org", "cardiff", "--year", "2022-23", "--metric", "per_pupil",
                 "--data-dir", str(store_copy), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["intensities"]["tco2e_per_pupil"] == pytest.approx(r["total_tco2e"] / 50_000, abs=1e-4)
    peer = r["peer_group"]
    assert peer["metric"] == "tco2e_per_pupil" and peer["peer_count"] == 2  # Cardiff and Newport have pupils
    assert peer["left_out"]["swansea"] == "no pupils figure for this body"  # the figure's name, not a column id


def test_the_organisation_page_offers_and_shows_a_metric_added_as_data(per_pupil, store_copy):
    from decarb_dashboard.web.pages import organisation

    app = create_app(store_copy, seed=False)
    with app.server.test_request_context():
        page = str(organisation.layout("en", body="cardiff", year="2022-23"))
        assert "'value': 'per_pupil'" in page and "Emissions per pupil (tCO2e per pupil)" in page
        view = str(organisation.update("cardiff", "2022-23", "per_pupil", "type", "with", "cy"))
        assert "tCO2e fesul disgybl" in view and "Allyriadau fesul disgybl" in view
