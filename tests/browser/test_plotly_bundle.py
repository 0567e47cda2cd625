"""A chart drawn by the partial plotly.js bundle, in English and in Welsh with the Welsh locale's words and format."""

from __future__ import annotations

import pytest

from decarb_dashboard.web import create_app, plotly_bundle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PLOTLY = ("return [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces).sort(),"
          " performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('plotly'))];")
CHART = ("var gd = document.querySelector('.js-plotly-plot');"
         " return [gd._context.locale, gd._fullLayout.separators,"
         " Array.from(gd.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title'))];")


@pytest.mark.parametrize(("lang", "locale", "download", "separators"), [
    ("en", "en-US", "Download plot as a PNG", ".,"),  # plotly.js's own English
    ("cy", "cy", "Lawrlwytho'r siart fel delwedd PNG", ".,"),  # CLDR's Welsh writes 1,234.5, as English does
])
def test_a_body_s_chart_is_drawn_by_the_partial_bundle(dash_duo, data_dir, lang, locale, download, separators):
    dash_duo.start_server(create_app(data_dir, seed=False))
    dash_duo.driver.get(f"{dash_duo.server_url}/organisation?body=cardiff&year=2022-23&lang={lang}")
    dash_duo.wait_for_element("svg.main-svg g.trace.bars path", timeout=30)  # bars drawn
    version, traces, loaded = dash_duo.driver.execute_script(PLOTLY)
    assert version == plotly_bundle.VERSION and traces == ["bar", "pie", "scatter"]  # the full bundle has 47
    assert [n.split("?")[0].removeprefix(dash_duo.server_url) for n in loaded if n.endswith(".js") or ".js?" in n] \
        == ["/assets/plotly-locale-cy.js", "/" + plotly_bundle.DASH_PATH]
    used_locale, used_separators, titles = dash_duo.driver.execute_script(CHART)
    assert used_locale == locale and used_separators == separators
    assert download in titles
