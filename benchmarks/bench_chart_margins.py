"""Drawing a page's charts with the margins worked out on the server (``web.chart_margins``) against plotly.js's
``automargin``, in the same page of headless Chromium.

Each chart of the organisation, compare and Wales pages (Wales scale, English) is drawn again by ``Plotly.newPlot``
in a div of its size, alternately with its layout as served and with that layout as before (axes' ``automargin``
on, the old fixed margins, the legend at the container's bottom), ``--runs`` times; prints the median time to draw
all of a page's charts each way and their ratio, at 1280 and 390 px.

    python benchmarks/bench_chart_margins.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.screenshots import address, chromium, running_site, set_viewport, wait_for_content

PAGES = {"organisation": "/organisation?body=cardiff&year=2022-23", "compare": "/compare",
         "wales": "/wales?year=2022-23"}
#: Draws every chart of the page both ways, alternately; the layout "as before" is built from the served one.
AB = """
const done = arguments[arguments.length - 1];
const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
const copy = (x) => JSON.parse(JSON.stringify(x));
const figs = graphs.map(g => ({data: copy(g.data), layout: copy(g.layout), w: g.clientWidth, h: g.clientHeight}));
const old = (l) => { const o = copy(l);
  o.margin = {l: o.margin.l === 0 ? 0 : 10, r: o.margin.r === 0 ? 0 : 30, t: o.margin.t, b: 10};
  for (const k of Object.keys(o)) if (/^[xy]axis\\d*$/.test(k) && o[k].visible !== false) {
    o[k].automargin = true; if (o[k].title) delete o[k].title.standoff; }
  if (o.legend) { o.legend.yref = 'container'; o.legend.y = 0; o.legend.yanchor = 'bottom'; } return o; };
const div = document.createElement('div'); document.body.appendChild(div);
const times = {new: [], old: []};
(async () => {
  for (let i = 0; i < %d; i++) for (const v of ['new', 'old']) {
    let total = 0;
    for (const f of figs) {
      div.style.width = f.w + 'px'; div.style.height = f.h + 'px';
      const layout = v === 'new' ? f.layout : old(f.layout);
      const t0 = performance.now();
      await Plotly.newPlot(div, f.data, Object.assign({}, layout, {width: f.w, height: f.h}));
      total += performance.now() - t0; Plotly.purge(div);
    }
    times[v].push(total);
  }
  done(times);
})();
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with running_site() as (base, receipt):
        driver = chromium()
        driver.set_script_timeout(600)
        try:
            for width in (1280, 390):
                for page, path in PAGES.items():
                    set_viewport(driver, width)
                    driver.get(base + address(path, "en", receipt))
                    wait_for_content(driver)
                    time.sleep(3)  # every chart drawn once, plotly.js loaded
                    t = driver.execute_async_script(AB % args.runs)
                    new, old = statistics.median(t["new"]), statistics.median(t["old"])
                    print(f"{page:13} {width:5} px: server margins {new:6.0f} ms, automargin {old:6.0f} ms,"
                          f" ratio {new / old:.2f}", flush=True)
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
