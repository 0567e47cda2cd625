"""``decarb plan --org ORG [--json]``: a body's net zero plan (issue 18), the model in :mod:`decarb_dashboard.plan`;
``decarb plan --rollup [--json]``: all Wales's, each sector's and each region's, with their coverage.

The reported figures are the engine's totals net of land (the path to net zero's measure, as ``decarb compare``'s
``trajectory`` counts them); the projects are the body's current projects submission (``decarb projects submit``).
Exit codes: 0 done, 2 not understood.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from decarb_dashboard import config
from decarb_dashboard.report import say
from uploads_schema import i18n


def _figure(value: float | None, lang: str) -> str:
    """A tCO2e figure by the one rounding rule (whole tonnes), or "not available"."""
    from decarb_dashboard.numbers import figure_text

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return say("not_available", lang)
    return figure_text(value, "tco2e", lang)


def plan_lines(result: dict, lang: str) -> list[str]:
    """The plan as lines of text for a terminal, in ``lang``."""
    from uploads_schema.projects import project_statuses

    out = [say("plan_header", lang, org=result["organisation_name"][lang]),
           say("plan_baseline", lang, tco2e=_figure(result["baseline_tco2e"], lang)),
           say("plan_latest", lang, year=result["latest_year"] or say("not_available", lang),
               tco2e=_figure(result["latest_tco2e"], lang))]
    if "no_baseline" in result["notes"]:
        out.append(say("plan_no_baseline", lang))
    out += _scenario_lines(result, lang)
    if not result["projects"]:
        out.append(say("projects_none", lang, org=result["organisation_name"][lang]))
    for p in result["projects"]:
        if p["note"] == "no_factor":
            saving = say("plan_no_factor", lang)
        elif p["factor_year"] is not None:  # an activity change, at the newest official set's factor
            saving = say("plan_saving_factor", lang, tco2e=_figure(p["saving_tco2e_per_year"], lang),
                         factor_year=p["factor_year"])
        else:
            saving = say("plan_saving", lang, tco2e=_figure(p["saving_tco2e_per_year"], lang))
        out.append(f"- {p['project']} ({project_statuses()[p['status']].name(lang)}, {p['start_year']}): {saving}")
        fall = p["realised_saving_tco2e"]
        if fall is not None:
            years_ = {"start": p["realised_from_year"], "end": p["realised_to_year"]}
            out.append("  " + (say("plan_realised_rose", lang, tco2e=_figure(-fall, lang), **years_) if fall < 0 else
                               say("plan_realised_below", lang, tco2e=_figure(fall, lang), **years_)
                               if p["realised_below_expected"] else
                               say("plan_realised", lang, tco2e=_figure(fall, lang), **years_)))
        elif p["realised_note"] is not None:
            out.append("  " + (say("plan_realised_not_reported_before", lang, year=p["realised_from_year"])
                               if p["realised_note"] == "not_reported_before" else
                               say("plan_realised_not_reported_since", lang)))
    return out


def _scenario_lines(result: dict, lang: str) -> list[str]:
    out = []
    for name, scenario in result["scenarios"].items():
        words = {"gap": _figure(scenario["gap_2030_tco2e"], lang),
                 "still": _figure(scenario["saving_still_to_find_tco2e"], lang)}
        out.append(say("plan_scenario_planned", lang, **words) if name == "planned" else
                   say("plan_scenario_with_tentative", lang, **words) if name == "with_tentative" else
                   say("plan_scenario_with_potential", lang, **words))
    return out


def rollup_lines(result: dict, lang: str) -> list[str]:
    """All Wales's, each sector's and each region's plan (``decarb plan --rollup``) as lines of text, in ``lang``."""
    from decarb_dashboard.rollups import region_name, sector_name

    groups = [(say("plan_all_wales", lang), result["all_wales"])]
    groups += [(sector_name(k, lang), g) for k, g in result["sector"].items()]
    groups += [(region_name(k, lang), g) for k, g in result["region"].items()]
    out = [say("plan_rollup_header", lang)]
    for name, group in groups:
        c = group["coverage"]
        out.append(say("plan_rollup_group", lang, group=name, bodies=c["bodies"], reported=c["bodies_reported"],
                       with_projects=c["bodies_with_projects"], projects=c["projects"]))
        out += ["  " + line for line in _scenario_lines(group, lang)]
    return out


def _cmd_plan(args: argparse.Namespace) -> int:
    from decarb_dashboard.store import SubmissionStore

    store = SubmissionStore(Path(args.data_dir) if args.data_dir else config.data_dir())
    from decarb_dashboard import plan
    from decarb_dashboard.engine import Engine

    engine = Engine.from_store(store)
    result = plan.rollup(engine, store) if args.rollup else plan.plan_of(engine, store, args.org)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print("\n".join((rollup_lines if args.rollup else plan_lines)(result, args.lang)))
    return 0


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """Add ``decarb plan`` to the ``decarb`` parser's commands, help texts in ``lang``."""
    p = sub.add_parser("plan", help=say("help_plan", lang))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--org", metavar=say("metavar_org", lang), help=say("help_projects_org", lang))
    which.add_argument("--rollup", action="store_true", help=say("help_plan_rollup", lang))
    p.add_argument("--json", action="store_true", help=say("help_plan_json", lang))
    p.add_argument("--data-dir", metavar=say("metavar_data_dir", lang), help=say("help_data_dir", lang))
    p.add_argument("--lang", choices=i18n.languages(), default=lang, help=say("help_lang", lang))
    p.set_defaults(func=_cmd_plan)
