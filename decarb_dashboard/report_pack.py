"""The report pack: one body's figures for a year as an accessible, tagged PDF in English or Welsh.

For committee papers: the headline figures with their coverage and review status, the categories
over the years, the change since the baseline and on last year (like for like, naming what was
left out), the path to 2030, the body's place among its peers, its quality flags, the method
(the factor sets used, with their attribution) and a table for every chart.

Every figure comes from :func:`decarb_dashboard.compare.compare` and the same library functions
the My organisation page uses (``measures.body_cells``, ``rollups.group_trajectory``, the engine's
peer values); nothing is worked out a second time here. Figures are rounded and formatted by the
pages' one rule (:func:`decarb_dashboard.web.components.figure_text`, CLDR formats for the
language) and the words are the ``web`` catalogue's, so the PDF says what the page says.

The HTML (a Jinja2 template in ``templates/``) is rendered to PDF by WeasyPrint with the
``pdf/ua-1`` variant: a tagged PDF with a structure tree, headings and tables in reading order,
``/Lang`` from ``<html lang>`` and the title from ``<title>``. WeasyPrint needs Pango (Debian's
``libpango-1.0-0`` and ``libpangoft2-1.0-0``, installed by ``make test``); the text is set in
DejaVu Sans (``fonts-dejavu-core``), which has the Welsh letters ŵ and ŷ.

Charts are SVG drawn on the server by matplotlib's SVG backend, not plotly + kaleido: kaleido
drives a headless Chrome for every image, which a server (or a councillor's laptop running
``decarb report``) should not need, while matplotlib is pure Python with wheels everywhere and
draws from the object API without pyplot's global state, so requests in threads do not mix; its
default font, which it ships, is DejaVu Sans.
Each chart is an ``<img>`` with alternative text that says what it shows and that its figures
are in the table after it; its labels are drawn as paths, so the words a reader's software
extracts are the tagged text, never a chart's tick labels.
"""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from decarb_dashboard import measures, peers, reasons, rollups, years
from decarb_dashboard.compare import compare
from decarb_dashboard.engine import Engine
from decarb_dashboard.matcher import matcher_for
from decarb_dashboard.web.components import PALETTE, change_text, figure_text, status_mark
from decarb_dashboard.web.i18n import t
from decarb_dashboard.web.pages.organisation import rank_text, trajectory_sentence
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

TEMPLATES = Path(__file__).parent / "templates"
#: The attribution the UK Government GHG conversion factors require wherever they are used (reference pack).
FACTORS_ATTRIBUTION_KEY = "report_factors_attribution"


class NoReport(LookupError):
    """No report can be made: ``code`` is ``report_unknown_body``, ``report_no_figures``, ``report_bad_peers``
    or ``report_bad_metric`` (a peer group or metric the vocabulary lacks), or ``report_renderer_missing``
    (the machine lacks the system libraries WeasyPrint draws with: Pango)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Table:
    """A table of figures as the PDF shows it: its caption, column headers and rows of formatted cells."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: set[int]  #: indices of the columns of figures (right-aligned)


@dataclass(frozen=True)
class Chart:
    """A chart as an SVG data address with its alternative text, and the table of its figures."""

    heading: str
    svg_src: str
    alt: str
    table: Table


def _svg(fig: MplFigure) -> str:
    """The chart as a ``data:`` address of its SVG (text drawn as paths)."""
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue().encode("utf-8")).decode("ascii")


def _figure(height: float = 3.6) -> tuple[MplFigure, object]:
    fig = MplFigure(figsize=(7.0, height))
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _axis_numbers(ax: object, lang: str, axis: str = "y") -> None:
    """Tick labels in ``lang``'s number format (1,234)."""
    fmt = FuncFormatter(lambda v, _pos: i18n.number(v, 0 if abs(v) >= 10 or v == 0 else 2, lang))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _cell(value: object, kind: str, lang: str) -> str:
    return figure_text(value, kind, lang) if isinstance(value, int | float) and not isinstance(value, bool) \
        else ("" if value is None else str(value))


def _status_word(status: str, lang: str) -> str:
    return t(status, lang) if status in ("reported", "not_reported", "missing", "not_computed") else status


def category_chart(engine: Engine, body: str, name: str, lang: str) -> Chart | None:
    """The body's reported emissions by category each year: stacked bars, and the table of every cell."""
    v = vocabulary()
    cells = measures.body_cells(engine.categories, body)
    all_years = sorted({y for y, _ in cells})
    if not all_years:
        return None
    fig, ax = _figure(4.2)
    bottom = [0.0] * len(all_years)
    rows = []
    for i, cat in enumerate(v.ordered_categories()):
        status = {y: cells.get((y, cat.id), ("missing", None))[0] for y in all_years}
        values = [cells[(y, cat.id)][1] if status[y] == "reported" else None for y in all_years]
        if any(x is not None for x in values):
            heights = [x or 0.0 for x in values]
            ax.bar(all_years, heights, bottom=bottom, label=cat.name(lang), color=PALETTE[i % len(PALETTE)])
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        for y, value in zip(all_years, values, strict=True):
            if status[y] != "missing":
                rows.append([cat.name(lang), y, _cell(value, "tco2e", lang) if value is not None
                             else _status_word(status[y], lang)])
    ax.set_ylabel(t("axis_tco2e", lang))
    _axis_numbers(ax, lang)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    first, last = all_years[0], all_years[-1]
    table = Table(t("report_table_categories", lang, first=first, last=last),
                  [t("col_category", lang), t("col_year", lang), t("col_tco2e", lang)], rows, {2})
    return Chart(t("chart_by_category", lang, first=first, last=last), _svg(fig),
                 t("report_alt_categories", lang, body=name, first=first, last=last), table)


def trajectory_chart(engine: Engine, body: str, name: str, sentence: str, lang: str) -> Chart | None:
    """The body's emissions each year (net of land, like for like) against the straight path to 2030."""
    actual: dict[str, float] = {}
    path: dict[str, float] = {}
    for y in engine.years():
        tr = rollups.group_trajectory(engine.categories, engine.registry, [body], y)
        if tr["tco2e"] is not None:
            actual[y] = tr["tco2e"]
            path = path or tr["required_path_tco2e"]
    if not path:
        return None
    fig, ax = _figure()
    ax.plot(list(path), list(path.values()), linestyle="--", color=PALETTE[5], label=t("series_required", lang))
    ax.plot(list(actual), list(actual.values()), marker="o", color=PALETTE[0], linewidth=2.5,
            label=t("series_actual", lang))
    ax.set_ylabel(t("axis_tco2e", lang))
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    _axis_numbers(ax, lang)
    ax.legend(fontsize=8, frameon=False)
    rows = [[y, _cell(actual.get(y), "tco2e", lang), _cell(path[y], "tco2e", lang)] for y in path]
    table = Table(t("chart_trajectory", lang), [t("col_year", lang), t("series_actual", lang),
                                                 t("series_required", lang)], rows, {1, 2})
    return Chart(t("chart_trajectory", lang), _svg(fig),
                 t("report_alt_trajectory", lang, body=name, sentence=sentence), table)


def check_choice(peer_group: str, metric: str, lang: str) -> None:
    """Raise :class:`NoReport` unless ``peer_group`` and ``metric`` are the vocabulary's (the page's choices);
    its ``params`` name the value refused and those allowed, in ``lang``."""
    if peer_group not in vocabulary().peer_groups:
        allowed = ", ".join(f"{g} ({t(f'peer_phrase_{g}', lang)})" for g in vocabulary().peer_groups)
        raise NoReport("report_bad_peers", value=repr(peer_group[:40]), allowed=allowed)
    if metric not in vocabulary().metrics:
        allowed = ", ".join(f"{m} ({t(f'metric_{m}', lang)})" for m in vocabulary().metrics)
        raise NoReport("report_bad_metric", value=repr(metric[:40]), allowed=allowed)


def peer_chart(engine: Engine, body: str, r: dict, rank: str, metric: str, lang: str) -> Chart | None:
    """Every peer's figure of ``metric`` as a dot, the body highlighted, the median dashed; and the table."""
    m = matcher_for(engine.registry)
    peer, year = r["peer_group"], r["reporting_year"]
    values = engine.values
    unit, kind = t(f"unit_{metric}", lang), "tco2e" if metric == "total" else "intensity"
    v = values[(values["metric"] == metric) & (values["reporting_year"] == year)
               & values["organisation_id"].isin(peer["members"]) & values["value"].notna()].sort_values("value")
    if v.empty:
        return None
    names = [m.name(b, lang, short=True) for b in v["organisation_id"]]
    colours = [PALETTE[5] if b == body else PALETTE[0] for b in v["organisation_id"]]
    fig, ax = _figure(max(2.4, 0.28 * len(names) + 1.0))
    ax.scatter(v["value"], names, c=colours, s=[70 if b == body else 35 for b in v["organisation_id"]])
    median = peer.get(f"peer_median_{peer['metric']}")
    if median is not None:
        ax.axvline(median, linestyle="--", color=PALETTE[7], label=t("series_median", lang))
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel(f"{unit}, {year}")
    ax.tick_params(axis="y", labelsize=7)
    _axis_numbers(ax, lang, "x")
    ax.xaxis.set_major_locator(MaxNLocator(5))  # a few round figures: wide numbers must not run together
    group = t(f"peer_phrase_{peer['name'].split(':')[0]}", lang)
    short = m.name(body, lang, short=True)
    measure = t(f"metric_{metric}", lang)
    heading = t("chart_peers", lang, body=short, group=group, metric=measure, year=year)
    rows = [[n, _cell(x, kind, lang)] for n, x in zip(names, v["value"], strict=True)]
    table = Table(heading, [t("col_body", lang), measure], rows, {1})
    alt = t("report_alt_peers", lang, body=short, group=group, year=year, rank=rank, metric=measure)
    return Chart(heading, _svg(fig), alt, table)


def change_table(r: dict, lang: str) -> Table:
    """Each category's emissions and its like-for-like change since the baseline and on last year."""
    rows = []
    for entry in r["categories"]:
        cat = vocabulary().categories[entry["category"]]
        rows.append([
            cat.name(lang),
            _cell(entry["tco2e"], "tco2e", lang) if entry["tco2e"] is not None else _status_word(entry["status"], lang),
            _cell(entry["change_vs_baseline_pct"], "pct", lang) if entry["change_vs_baseline_pct"] is not None
            else reasons.translate(entry["change_vs_baseline_reason"], lang),
            _cell(entry["change_year_on_year_pct"], "pct", lang) if entry["change_year_on_year_pct"] is not None
            else reasons.translate(entry["change_year_on_year_reason"], lang),
        ])
    return Table(t("report_table_change", lang, year=r["reporting_year"]),
                 [t("col_category", lang), t("col_tco2e", lang), t("col_change_baseline", lang) + " (%)",
                  t("col_change_yoy", lang) + " (%)"], rows, {1, 2, 3})


def left_out(items: dict[str, str], lang: str) -> str:
    """The categories a change left out, each with its reason in ``lang``; "" when none was."""
    cats = vocabulary().categories
    return "; ".join(f"{cats[c].name(lang) if c in cats else c} ({reasons.translate(why, lang)})"
                     for c, why in items.items())


def method(engine: Engine, body: str, year: str, lang: str) -> list[str]:
    """The method paragraph's sentences: the factor sets used for the year's computed figures and the attribution."""
    facts = engine.facts[(engine.facts["organisation_id"] == body) & (engine.facts["reporting_year"] == year)]
    computed = facts[facts["emissions_basis"] == "computed"]
    out = [t("report_method_lines", lang, computed=len(computed), reported=int((facts["emissions_basis"]
                                                                               == "reported").sum()))]
    # A factor computes a figure from its activity, or checks a reported figure against its activity (5% rule).
    used = sorted({int(y) for y in facts.loc[facts["emissions_computed_tco2e"].notna(), "factor_year"].dropna()})
    if used:
        sources = engine.factors.drop_duplicates("factor_year").set_index("factor_year")["source"]
        files = [f"{y} ({str(sources.get(y, '')).rsplit(' ', 1)[-1]})" for y in used]
        out.append(t("report_method_factors", lang, sets="; ".join(files)))
        if facts["factor_newest_set_used"].fillna(False).astype(bool).any():
            out.append(t("report_method_newest", lang, year=year))
        out.append(t(FACTORS_ATTRIBUTION_KEY, lang))
    else:
        out.append(t("report_method_no_factors", lang, year=year))
    out.append(t("report_method_rules", lang))
    return out


def flag_lines(r: dict, lang: str) -> list[str]:
    """The body's quality flags, each in words with its figures."""
    cats = vocabulary().categories
    out = []
    for f in r["quality_flags"]:
        category = f"{cats[f['category']].name(lang)}: " if isinstance(f.get("category"), str) else ""
        out.append(f"{t('flag_' + f['kind'], lang)}: {category}{peers.flag_detail(f, lang)}")
    return out


def context(engine: Engine, body: str, year: str, lang: str, review_status: str | None,
            accepted_only: bool, peer_group: str = "type", metric: str = "total") -> dict:
    """Everything the template shows, for ``body`` in ``year`` in ``lang`` (raises :class:`NoReport`); its place
    among its peers is in ``peer_group`` by ``metric``, as the reader chose on the page."""
    check_choice(peer_group, metric, lang)
    if body not in set(engine.registry["id"]):
        raise NoReport("report_unknown_body", org=body)
    own = engine.categories[(engine.categories["organisation_id"] == body)
                            & (engine.categories["reporting_year"] == year)]
    if year not in engine.years() or own.empty:
        found = sorted(set(engine.categories[engine.categories["organisation_id"] == body]["reporting_year"]))
        raise NoReport("report_no_figures", org=body, year=year, years=", ".join(found) or "-")
    r = compare(engine, body, year, peer_group=peer_group, metric=metric)
    m = matcher_for(engine.registry)
    name = m.name(body, lang)
    previous, baseline = years.previous(year), r["baseline_year"]
    peer, trajectory = r["peer_group"], r["trajectory"]
    rank = rank_text(peer, lang)
    sentence = trajectory_sentence(trajectory, baseline, year, lang)
    mark = status_mark(review_status, lang)
    if review_status == "accepted":
        status = t("report_status_accepted", lang)
    elif mark:
        status = t("report_status_provisional", lang, mark=mark)
    else:
        status = ""
    cats = vocabulary().categories
    coverage = peer["coverage"]
    headlines = [
        (t("org_headline_total", lang, year=year), figure_text(r["total_tco2e"], "tco2e", lang, "tCO2e")
         + (f" ({mark})" if mark else "")),
        (t("org_headline_change_baseline", lang, baseline=baseline),
         change_text(r["change_vs_baseline_pct"], r["change_vs_baseline_tco2e"], lang) + ", "
         + t("over_categories", lang, count=len(r["change_vs_baseline_categories"]))),
        (t("org_headline_change_yoy", lang, previous=previous),
         change_text(r["change_year_on_year_pct"], r["change_year_on_year_tco2e"], lang)),
        (t("org_headline_intensity", lang, metric=t("metric_per_fte", lang), year=year),
         figure_text(r["intensities"].get(measures.metric_key("per_fte")), "intensity", lang,
                     t("unit_per_fte", lang))),
        (t("org_headline_rank", lang, group=t(f"peer_phrase_{peer['name'].split(':')[0]}", lang)), rank),
        (t("org_headline_trajectory", lang), t(f"status_{trajectory['status']}", lang)),
    ]
    charts = {"categories": category_chart(engine, body, name, lang),
              "trajectory": trajectory_chart(engine, body, name, sentence, lang),
              "peers": peer_chart(engine, body, r, rank, metric, lang)}
    return {
        "lang": lang,
        "title": t("report_title", lang, body=name, year=year),
        "subtitle": t("report_subtitle", lang),
        "produced": t("report_produced", lang, date=i18n.date(datetime.date.today(), lang, "long")),
        "status": status,
        "publication": t("publication_accepted_only" if accepted_only else "publication_all", lang),
        "total_categories": t("report_total_categories", lang,
                              names=", ".join(cats[c].name(lang) for c in r["total_categories"])),
        "coverage": t("peer_coverage", lang, reported=coverage["bodies_reported"],
                      expected=coverage["bodies_expected"], year=year),
        "headlines": headlines,
        "sections": {k: t(f"report_section_{k}", lang) for k in
                     ("headlines", "categories", "change", "trajectory", "peers", "flags", "method")},
        "charts": charts,
        "change_table": change_table(r, lang),
        "like_for_like": t("report_like_for_like", lang),
        "left_out_baseline": t("report_left_out", lang, since=baseline,
                               items=left_out(r["change_vs_baseline_left_out"], lang))
        if r["change_vs_baseline_left_out"] else t("report_left_out_none", lang, since=baseline),
        "left_out_yoy": t("report_left_out", lang, since=previous, items=left_out(r["change_year_on_year_left_out"],
                                                                                 lang))
        if r["change_year_on_year_left_out"] else t("report_left_out_none", lang, since=previous),
        "trajectory_sentence": sentence,
        "rank": rank,
        "flags_title": t("org_flags_title", lang, year=year),
        "flags": flag_lines(r, lang),
        "flags_none": t("org_flags_none", lang, year=year),
        "method": method(engine, body, year, lang),
        "chart_note": t("report_chart_note", lang),
    }


def render_html(ctx: dict) -> str:
    """The report's HTML from the package's template."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("report_pack.html").render(**ctx, css=(TEMPLATES / "report_pack.css").read_text("utf-8"))


def render_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF/UA-1 document (structure tree, /Lang, title)."""
    try:
        from weasyprint import HTML  # loads Pango: only this needs it, so the dashboard starts without
    except OSError as exc:
        raise NoReport("report_renderer_missing") from exc

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_variant="pdf/ua-1")


def report_pdf(engine: Engine, body: str, year: str, lang: str, review_status: str | None = None,
               accepted_only: bool = False, peer_group: str = "type", metric: str = "total") -> bytes:
    """The report pack of ``body`` in ``year`` in ``lang`` as PDF bytes (raises :class:`NoReport`).

    ``engine`` is the published one (accepted returns only when ``accepted_only``);
    ``review_status`` is the status of the body-year's return the engine shows, for its mark;
    ``peer_group`` and ``metric`` (the vocabulary's ids) the place among peers the report shows.
    """
    return render_pdf(render_html(context(engine, body, year, i18n.language(lang), review_status, accepted_only,
                                          peer_group, metric)))


def review_status(store: object, body: str, year: str, accepted_only: bool) -> str | None:
    """The review status of the body-year's return the public figures show (None when there is none)."""
    found = store.current_statuses(accepted_only=accepted_only)
    row = found[(found["organisation_id"] == body) & (found["reporting_year"] == year)]
    return None if row.empty else str(row["status"].iloc[0])

