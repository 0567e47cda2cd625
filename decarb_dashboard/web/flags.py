"""Quality flags as the pages show them: what was found, in the reader's language, with its figures.

Shared by the Wales overview (every body's flags), My organisation (the body's own) and Compare.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from decarb_dashboard import peers
from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import t
from uploads_schema.vocabulary import vocabulary

#: The order the kinds are listed in: the likeliest mistakes first.
KIND_ORDER = {kind: k for k, kind in enumerate(peers.FLAG_KINDS)}


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
                              f"{category}: " if category else "", peers.flag_detail(f._asdict(), lang)],
                             className=f"flag flag-{f.kind}"))
    return items
