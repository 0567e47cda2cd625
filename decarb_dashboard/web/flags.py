"""Quality flags as the pages show them: what was found, in the reader's language, with its figures.

Shared by the Wales overview (every body's flags), My organisation (the body's own) and Compare.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import t
from uploads_schema.vocabulary import vocabulary

#: The order the kinds are listed in: the likeliest mistakes first.
KIND_ORDER = {"unit_slip": 0, "jump": 1, "outlier": 2, "estimated_share": 3}


def flag_detail(f, lang: str) -> str:  # type: ignore[no-untyped-def]
    """Say what a quality flag found, in ``lang``, from its figures."""
    if f.kind == "unit_slip":
        key = "flag_detail_unit_slip_self" if f.against == "previous_year" else "flag_detail_unit_slip_peers"
        return t(key, lang, value=f"{f.value_tco2e:,.1f}", ratio=f"{f.ratio:,.0f}", previous=f.previous_year)
    if f.kind == "jump":
        return t(
            "flag_detail_jump",
            lang,
            pct=f"{f.change_pct:+.0f}",
            previous=f.previous_year,
            before=f"{f.before_tco2e:,.1f}",
            now=f"{f.value_tco2e:,.1f}",
        )
    if f.kind == "outlier":
        return t("flag_detail_outlier", lang, z=f"{f.z:+.1f}")
    return t("flag_detail_estimated_share", lang, share=f"{f.share_pct:.0f}")


def flag_items(flags: pd.DataFrame, year: str, lang: str, limit: int | None = None, link: bool = True) -> list:
    """Return one list item per flag, the likeliest mistakes first; ``link`` names the body with a link to its page."""
    m = data.matcher()
    flags = flags.assign(order=flags["kind"].map(KIND_ORDER)).sort_values(["order", "organisation_id"],
                                                                         kind="stable")
    if limit is not None:
        flags = flags.head(limit)
    items = []
    for f in flags.itertuples():
        category = vocabulary().categories[f.category].name(lang) if isinstance(f.category, str) else ""
        name = m.name(f.organisation_id, lang, short=True)
        who = [html.A(name, href=f"/organisation?lang={lang}&body={f.organisation_id}&year={year}"), ", "] if link \
            else []
        items.append(html.Li([html.Strong(t(f"flag_{f.kind}", lang)), ": ", *who,
                              f"{category}: " if category else "", flag_detail(f, lang)],
                             className=f"flag flag-{f.kind}"))
    return items
