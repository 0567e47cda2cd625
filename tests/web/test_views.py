"""The pages' view functions, without a browser: translations, upload checks, downloads."""

from __future__ import annotations

import base64
import contextlib
import io

import flask
import openpyxl
import pytest

from decarb_dashboard.accounts import Account
from decarb_dashboard.web import components, create_app
from decarb_dashboard.web.i18n import catalogue, t
from decarb_dashboard.web.pages import compare, organisation, upload, wales
from decarb_dashboard.web.pages.home import layout as home_layout
from tests.conftest import csv_bytes


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(sample_store.root, seed=False)


@contextlib.contextmanager
def signed_in(app, role: str = "submitter", bodies: tuple[str, ...] = ("cardiff", "newport")):
    """Run view functions as if a signed-in account of ``role`` (bound to ``bodies``) made the request."""
    with app.server.test_request_context():
        flask.g.decarb_account = Account("test.officer", "Test officer", role, bodies if role == "submitter" else (),
                                         False, 0)
        yield


def payload(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def test_both_languages_have_every_key():
    en, cy = catalogue("en"), catalogue("cy")
    assert set(en) == set(cy)
    # Everything is translated; these words are the same in Welsh.
    same = {k for k in en if en[k] == cy[k]}
    assert same == {"unit_total", "col_sector", "col_problem", "org_headline_intensity", "audit_detail_assign",
                "nav_api"}, same
    assert t("rank_value", "cy", rank=2, count=22) == "2 o 22 (1 = isaf)"


def test_every_page_renders_in_both_languages(app):
    with signed_in(app):
        for lang in ("en", "cy"):
            for page in (home_layout(lang), organisation.layout(lang, body="torfaen", year="2022-23"),
                         compare.layout(lang), wales.layout(lang, year="2022-23"), upload.layout(lang)):
                assert page.children
        assert "Fy sefydliad" in str(organisation.layout("cy"))
        assert "Caerdydd" in str(organisation.layout("cy"))  # body names in the chosen language


def test_not_reported_shows_as_not_reported_never_zero(app):
    with app.server.app_context():
        from decarb_dashboard.web import data

        r = data.comparison(data.engine(), "isle_of_anglesey", "2022-23")
        table = organisation.category_vs_median(data.engine(), "isle_of_anglesey", r, "en")
    land = table[table["Category"] == "Land"].iloc[0]
    assert land["Emissions (tCO2e)"] == "not reported"


def test_upload_check_reports_every_problem_with_rows(app):
    raw = csv_bytes("Cardiff,2024-25,Bulidings,,,,,5,,,", "Cardiff,2024-25,Waste,,,,,lots,,,")
    with signed_in(app):
        _, report, shown = upload.check(payload(raw), "x.csv", "cardiff", "2024-25", "en")
    assert [e.row for e in report.errors] == [2, 3]
    assert "There is a problem" in str(shown[0])


@pytest.mark.parametrize("lang, more", [("en", "…and 10 more: see the table of problems below."),
                                         ("cy", "…a 10 arall: gweler tabl y problemau isod.")])
def test_the_error_summary_names_the_first_twenty_problems_and_counts_the_rest(app, lang, more):
    # 30 misspelt categories on rows 2 to 31. The summary is a live region (read out whole): it names 20,
    # each linked to its row below, and says how many more the table holds.
    raw = csv_bytes(*[f"Cardiff,2024-25,Bulidings,,,,,{k},,," for k in range(1, 31)])
    with signed_in(app):
        _, report, shown = upload.check(payload(raw), "x.csv", "cardiff", "2024-25", lang)
    assert report.counts == {"category_unknown": 30}
    items = shown[0].children[2].children
    assert [item.children.href for item in items[:20]] == [f"#row-{r}" for r in range(2, 22)]
    assert len(items) == 21 and items[20].children == more


def test_upload_check_refuses_oversized_and_malformed_payloads(app, monkeypatch):
    monkeypatch.setenv("DECARB_MAX_UPLOAD_MB", "0.001")
    with signed_in(app):
        _raw, report, shown = upload.check(payload(b"x" * 2000), "big.csv", "cardiff", "2024-25", "en")
        assert report is None and "larger than 0.001 MB" in str(shown)
        _raw, report, shown = upload.check("data:text/csv;base64,@@not base64@@", "x.csv", "cardiff", "2024-25", "en")
        assert report is None and "could not be read" in str(shown)


def test_plausibility_warning_for_a_category_far_from_last_year(app):
    with signed_in(app):
        from decarb_dashboard.web import data

        engine = data.engine()
        stored = engine.categories.set_index(["organisation_id", "reporting_year", "category"])["tco2e"]
        before = stored[("newport", "2023-24", "waste")]
        raw = csv_bytes(f"Newport,2024-25,Waste,,,,,{before * 0.3:.1f},,,")
        _, report, _ = upload.check(payload(raw), "x.csv", "newport", "2024-25", "en")
        warnings = upload.plausibility_warnings(report, engine, "en")
    assert warnings == [f"Waste 2024-25: -70% on 2023-24 ({before:,.1f} to {before * 0.3:,.1f} tCO2e). "
                        "Check the unit and the figures."]


def test_the_upload_page_s_excel_template_is_pre_filled_with_last_year_s_lines(app):
    with app.server.app_context():
        content, name = upload.template_download("xlsx", "newport", "2024-25", "en")
        welsh, welsh_name = upload.template_download("csv", "newport", "2024-25", "cy")
        odd, odd_name = upload.template_download("csv", "../newport", "2024-26", "cy")
    assert name == "newport-2024-25-return-template-en.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(content))["Return"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
    assert rows and all(r[0] == "Newport City Council" and r[1] == "2023-24" for r in rows)  # last year's, to update
    assert ("Buildings", "Electricity", "kWh") in {(r[2], r[3], r[6]) for r in rows}
    assert welsh_name == "newport-2024-25-return-template-cy.csv"
    assert welsh.decode("utf-8-sig").startswith("sefydliad,blwyddyn_ariannol,categori,")
    assert "Cyngor Dinas Casnewydd,2023-24,Adeiladau,Trydan" in welsh.decode("utf-8-sig")
    # A body or year the page does not offer: the example row, named by no body.
    assert odd_name.startswith("return-template-") and odd.decode("utf-8-sig").count("\r\n") == 2


def test_plausibility_warning_for_a_line_far_outside_the_peer_range(app):
    with signed_in(app):
        from decarb_dashboard.web import data

        engine = data.engine()
        c = engine.categories
        councils = set(engine.registry.loc[engine.registry["type"] == "council", "id"]) - {"newport"}
        median = c[(c["reporting_year"] == "2023-24") & (c["category"] == "water") & (c["status"] == "reported")
                   & c["organisation_id"].isin(councils)]["tco2e"].median()
        raw = csv_bytes(f"Newport,2024-25,Water,,,,,{median * 1000:.1f},,,")
        _, report, _ = upload.check(payload(raw), "x.csv", "newport", "2024-25", "en")
        warnings = upload.plausibility_warnings(report, engine, "en")
    assert warnings[0] == (f"Water 2024-25: 1,000.0x the median of bodies of the same type ({median:,.1f} tCO2e). "
                           "Check the unit.")


def test_quality_flags_on_the_wales_overview_are_worded_in_welsh(app):
    with app.server.app_context():
        from decarb_dashboard.web import data

        text = str(wales.quality_list(data.engine(), "2022-23", "cy"))
    assert "Llithriad uned posibl" in text
    assert "gwaith ffigur 2021-22: kg wedi'u rhoi fel tunelli?" in text
    assert "kg entered as tonnes" not in text


def test_long_tables_show_a_page_of_rows_and_download_them_all():
    import pandas as pd

    from decarb_dashboard.web import components
    from decarb_dashboard.web.components import PAGE_ROWS, table_block

    frame = pd.DataFrame({"n": range(PAGE_ROWS + 5)})
    frames: dict = {}
    building_a_download = components._REBUILDING.set(frames)  # as when the block is built again for its download
    try:
        block = table_block("t", frame, "caption", "en")
    finally:
        components._REBUILDING.reset(building_a_download)
    rendered = str(block)
    assert f"Rows 1 to {PAGE_ROWS} of {PAGE_ROWS + 5}" in rendered
    assert len(frames["t"]) == PAGE_ROWS + 5


def test_reasons_for_missing_figures_are_in_welsh_on_welsh_pages(app):
    with app.server.app_context():
        from decarb_dashboard.web import data

        r = data.comparison(data.engine(), "isle_of_anglesey", "2019-20")
        table = organisation.category_vs_median(data.engine(), "isle_of_anglesey", r, "cy")
    reasons_shown = set(table[t("col_change_baseline", "cy")].astype(str))
    assert "dyma'r flwyddyn sylfaen" in reasons_shown
    assert not any("baseline" in x or "not reported" in x for x in reasons_shown)


def test_downloaded_tables_never_run_text_as_a_formula_in_excel():
    """A download's CSV and Excel files keep text that an upload held as text, never a formula."""
    import pandas as pd

    from decarb_dashboard.export import to_csv_bytes, to_xlsx_bytes

    frame = pd.DataFrame([{"Value": "=HYPERLINK(\"http://evil.example\",\"x\")", "Problem": "+cmd|' /C calc'!A0"}])
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)  # text, not a formula


# ---- charts15: charts a person can read, plain wording, one rounding rule, named downloads --------------------------
def test_supply_chain_has_a_panel_of_its_own_so_the_small_categories_show(app):
    with app.server.app_context():
        from decarb_dashboard.web import data

        fig, frame = organisation.category_history(data.engine(), "cardiff", "en")
    panel = {trace["name"]: trace.get("yaxis", "y") for trace in fig.data}
    assert panel["Supply chain"] == "y" and panel["Water"] == "y2" and panel["Homeworking"] == "y2"
    assert {p for name, p in panel.items() if name != "Supply chain"} == {"y2"}
    top, bottom = fig.layout["yaxis"]["domain"], fig.layout["yaxis2"]["domain"]
    assert bottom[1] < top[0]  # one above the other, never overlapping
    assert fig.layout["yaxis2"]["title"]["text"] == "tCO2e"
    # Cardiff's water in 2019-20 was 841.39 tCO2e: whole tonnes in its table, 841.
    shown = components.rounded_frame(frame, {"Emissions (tCO2e)": "tco2e"})
    assert shown[(shown["Category"] == "Water") & (shown["Financial year"] == "2019-20")].iloc[0][
        "Emissions (tCO2e)"] == 841


@pytest.mark.parametrize("lang, sentence, change", [
    ("en", "8.5% higher than 2019-20; 27.3% lower needed by 2022-23 on a straight path to net zero in 2030.",
     "8.5% higher (+11,612 tCO2e)"),
    ("cy", "8.5% yn uwch na 2019-20; mae angen bod 27.3% yn is erbyn 2022-23 ar lwybr syth i sero net yn 2030.",
     "8.5% yn uwch (+11,612 tCO2e)"),
])
def test_a_rise_is_said_as_higher_never_as_a_negative_reduction(app, lang, sentence, change):
    # Cardiff 2022-23: 11,611.81 tCO2e (8.4571%) above 2019-20 over like-for-like categories; the straight path
    # asks 3/11 = 27.2727% lower by then. This read "-8.5% reduction achieved" / "Gostyngiad o -8.5%".
    with app.server.test_request_context():
        from decarb_dashboard.web import data

        shown = str(organisation.view(data.engine(), "cardiff", "2022-23", "total", "type", True, lang))
    assert sentence in shown and change in shown
    assert "-8.5%" not in shown and "reduction achieved" not in shown and "Gostyngiad o" not in shown
    rank = {"en": "Rank among bodies of the same type", "cy": "Safle ymhlith cyrff o'r un math"}[lang]
    assert rank in shown


def test_every_download_of_the_organisation_page_is_named_by_body_year_and_language(app):
    query = {"view": "org-view.children", "values": ["cardiff", "2022-23", "per_fte", "type", "with", "cy"]}
    with app.server.test_request_context():
        names = {block: components.download_filename(components.rebuild_block(query, block), block, "csv")
                 for block in ("org-categories", "org-peers", "org-trajectory", "org-history")}
    assert names == {"org-categories": "cardiff-2022-23-categories-cy.csv",
                     "org-peers": "cardiff-2022-23-peers-per-fte-cy.csv",
                     "org-trajectory": "cardiff-trajectory-cy.csv",
                     "org-history": "cardiff-2019-20-to-2023-24-categories-cy.csv"}


def test_the_organisation_pages_figures_are_right_aligned_and_rounded_by_kind(app):
    with app.server.test_request_context():
        from decarb_dashboard.web import data

        blocks = organisation.view(data.engine(), "cardiff", "2022-23", "total", "type", True, "en")
    categories = next(b for b in blocks if getattr(b, "className", None) == "table-block")
    table = categories.children[1]
    head = table.children[1]["props"]["children"]["props"]["children"]
    classes = {h["props"]["children"]: h["props"].get("className") for h in head}
    assert classes["Emissions (tCO2e)"] == "num" and classes["Change since 2019-20 (%)"] == "num"
    assert classes["Category"] is None
    first = table.children[2]["props"]["children"][0]["props"]["children"]
    texts = [c["props"]["children"] for c in first]
    assert texts[0] == "Buildings"
    assert all("." not in x for x in texts[1:3])  # whole tonnes: the body's and its peers' median
    assert texts[3].count(".") <= 1 and len(texts[3].split(".")[-1]) == 1  # one decimal for a percentage
    assert table.children[0].className == "visually-hidden"  # the heading above says the same


def test_the_headline_measure_carries_its_unit_in_the_readers_language(app):
    with app.server.test_request_context():
        from decarb_dashboard.web import data

        r = data.comparison(data.engine(), "cardiff", "2022-23", metric="per_fte")
        shown = organisation.headlines(r, "per_fte", "cy")
    details = [str(c.children) for c in shown.children if type(c).__name__ == "Dd"]
    assert any(d.endswith(" tCO2e fesul CALl") for d in details), details  # once read "154,628 en"


def test_the_peer_chart_keeps_the_body_in_its_place_by_value_and_names_it_in_the_legend(app):
    with app.server.app_context():
        from decarb_dashboard.web import data

        r = data.comparison(data.engine(), "cardiff", "2022-23")
        fig, frame = organisation.peer_chart(data.engine(), "cardiff", r, "total", True, "en")
    order = fig.layout["yaxis"]["categoryarray"]
    assert order == list(frame["Public body"]) and "Cardiff" in order  # lowest first, Cardiff at its rank, not on top
    assert order.index("Cardiff") == 20  # rank 21 of 22
    assert [trace["name"] for trace in fig.data] == ["Peers", "Cardiff (this body)"]
    assert fig.layout["showlegend"] is True and fig.layout["annotations"] == []
