"""Plotly's own words in Welsh: the toolbar's tooltips and number format, declared once in the web catalogue."""

from __future__ import annotations

from pathlib import Path

from decarb_dashboard.web import plotly_locale
from decarb_dashboard.web.components import graph_config


def test_the_shipped_asset_is_what_the_catalogue_makes():
    # Edit the catalogue, then run `python -m decarb_dashboard.web.plotly_locale`: a stale file fails here.
    assert plotly_locale.path("cy").read_text(encoding="utf-8") == plotly_locale.script("cy")


def test_every_toolbar_word_a_chart_shows_is_in_welsh():
    words = plotly_locale.dictionary("cy")
    assert words["Zoom in"] == "Chwyddo i mewn"
    assert words["Download plot as a PNG"] == "Lawrlwytho'r siart fel delwedd PNG"
    assert [english for english, welsh in words.items() if welsh == english] == []
    assert set(words) == set(plotly_locale.dictionary("en"))


def test_welsh_number_and_date_format_come_from_cldr():
    fmt = plotly_locale.number_format("cy")
    assert (fmt["decimal"], fmt["thousands"]) == (".", ",")
    assert fmt["days"][0] == "Dydd Sul" and fmt["months"][11] == "Rhagfyr"  # Sunday first, as plotly counts


def test_a_welsh_chart_asks_for_the_welsh_locale_and_an_english_one_for_none():
    assert graph_config("cy")["locale"] == "cy"
    assert "locale" not in graph_config("en")
    assert graph_config("en")["displayModeBar"] == "hover"


def test_every_word_translated_is_one_the_installed_plotly_says():
    # plotly.js renamed "Download plot as a png" and "Snapshot succeeded" once: a translation of words it no
    # longer says would leave its new ones in English. Its toolbar says each through _(gd, "..."), as here.
    import plotly

    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    assert [w for w in plotly_locale.dictionary("cy") if f'"{w}"' not in bundle] == []


def test_no_chart_offers_to_upload_its_figures_to_plotlys_cloud():
    assert "sendChartToCloud" in graph_config("cy")["modeBarButtonsToRemove"]
    assert graph_config("en")["showSendToCloud"] is False
