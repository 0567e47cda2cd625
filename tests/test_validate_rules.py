"""One bad file per rule, and the exact message each must produce."""

from __future__ import annotations

import pytest

from tests.conftest import VALID_LINES, check

ROW = "Cardiff Council,2022-23,Buildings,Electricity,,1000,kWh,,,,"


def only_error(report):
    assert not report.valid
    assert len(report.errors) == 1, [e.to_dict() for e in report.errors]
    return report.errors[0]


@pytest.mark.parametrize(
    ("line", "code", "column", "message", "fix_contains"),
    [
        ("Cardif,2022-23,Buildings,Electricity,,1000,kWh,,,,", "organisation_unknown", "organisation",
         "“Cardif” is not a body in the register of Welsh public bodies.", "Did you mean “Cardiff Council”?"),
        (",2022-23,Buildings,Electricity,,1000,kWh,,,,", "organisation_missing", "organisation",
         "The organisation cell is empty.", "Cardiff Council"),
        ("Cardiff,2022,Buildings,Electricity,,1000,kWh,,,,", "year_bare", "reporting_year",
         "“2022” could mean financial year 2021-22 or 2022-23.",
         "2021-22 (April 2021 to March 2022) or 2022-23 (April 2022 to March 2023)"),
        ("Cardiff,2022-24,Buildings,Electricity,,1000,kWh,,,,", "year_invalid", "reporting_year",
         "“2022-24” is not a financial year.", "two consecutive years"),
        ("Cardiff,2014-15,Buildings,Electricity,,1000,kWh,,,,", "year_out_of_range", "reporting_year",
         "2014-15 is outside the years accepted, 2015-16 to 2027-28.", "2019-20"),
        ("Cardiff,2028/29,Buildings,Electricity,,1000,kWh,,,,", "year_out_of_range", "reporting_year",
         "2028-29 is outside the years accepted, 2015-16 to 2027-28.", "baseline"),
        ("Cardiff,,Buildings,Electricity,,1000,kWh,,,,", "year_missing", "reporting_year",
         "The reporting_year cell is empty.", "2022-23"),
        ("Cardiff,2022-23,Bulidings,Electricity,,1000,kWh,,,,", "category_unknown", "category",
         "“Bulidings” is not a reporting category.", "Did you mean “Buildings”?"),
        ("Cardiff,2022-23,,Electricity,,1000,kWh,,,,", "category_missing", "category",
         "The category cell is empty.", "Buildings, Street lighting"),
        ("Cardiff,2022-23,Buildings,Electrcity,,1000,kWh,,,,", "source_unknown", "source",
         "“Electrcity” is not a source within Buildings.", "Did you mean “Electricity”?"),
        ("Cardiff,2022-23,Buildings,Electricity,4,1000,kWh,,,,", "scope_invalid", "scope",
         "“4” is not a GHG Protocol scope.", "1, 2 or 3"),
        ("Cardiff,2022-23,Buildings,Electricity,1,1000,kWh,,,,", "scope_contradicts_source", "scope",
         "Electricity is always scope 2, but this line says scope 1.", "Change the scope to 2"),
        ("Cardiff,2022-23,Waste,,1,,,12,,,", "scope_not_allowed", "scope",
         "Waste has no scope 1 emissions.", "Use scope 3"),
        ("Cardiff,2022-23,Buildings,Electricity,,lots,kWh,,,,", "number_invalid", "activity_amount",
         "“lots” in activity_amount is not a number.", "1234.5"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,inf,,,", "number_not_finite", "emissions_tco2e",
         "“inf” in emissions_tco2e is not a finite number.", "not reported"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,-5,,,", "emissions_negative", "emissions_tco2e",
         "Emissions of -5 tCO2e in Buildings are negative; only Land (sequestration) may be negative.",
         "not deducted"),
        ("Cardiff,2022-23,Buildings,Electricity,,-1000,kWh,,,,", "activity_negative", "activity_amount",
         "An activity amount of -1000 is negative.", "cannot be below zero"),
        ("Cardiff,2022-23,Buildings,Electricity,,1000,furlongs,,,,", "unit_unknown", "activity_unit",
         "“furlongs” is not a unit we know.", "kWh, MWh"),
        ("Cardiff,2022-23,Buildings,Electricity,,1000,litres,,,,", "unit_not_allowed", "activity_unit",
         "litres is not a unit for Electricity in Buildings.", "Use one of: kWh, MWh, GWh."),
        ("Cardiff,2022-23,Buildings,Electricity,,,kWh,12,,,", "unit_without_amount", "activity_unit",
         "The unit is kWh but there is no activity amount.", "clear the unit"),
        ("Cardiff,2022-23,Buildings,Electricity,,1000,,,,,", "amount_without_unit", "activity_amount",
         "The activity amount 1000 has no unit.", "kWh, MWh, GWh"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,,,,", "figures_missing", None,
         "The line has no emissions figure and no activity amount.", "“not reported”"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,12,not applicable,,", "figures_with_status", "emissions_tco2e",
         "The line is marked “not applicable” but has a figure (12).", "clear the figure"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,12,guessed,,", "status_unknown", "status",
         "“guessed” is not a status.", "measured, estimated"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,N/A,measured,,", "status_conflict", "emissions_tco2e",
         "emissions_tco2e says “N/A” (not applicable) but the status column says “measured”.", "agree"),
        ("Cardiff,2022-23,Buildings,Electricity,,,,12,,guesswork,", "method_unknown", "method",
         "“guesswork” is not a calculation method.", "activity-based, spend-based"),
    ],
)
def test_each_rule_gives_its_message(line, code, column, message, fix_contains):
    error = only_error(check(line))
    assert error.code == code
    assert error.row == 2
    assert error.column == column
    assert error.message() == message
    assert fix_contains in error.fix()


def test_duplicate_lines_name_every_row_of_the_group():
    report = check(ROW, "Cardiff,2022-23,Supply chain,,,,,10,,,", "Caerdydd,2022/23,buildings,electricity,2,5,MWh,,,,")
    error = only_error(report)
    assert (error.code, error.row) == ("duplicate_line", 4)
    assert error.message() == ("This line repeats row 2: rows 2, 4 have the same organisation, year, category, "
                               "source and scope.")


def test_a_category_total_beside_its_breakdown_is_refused():
    report = check(ROW, "Cardiff,2022-23,Buildings,,,,,500,,,")
    error = only_error(report)
    assert (error.code, error.row) == ("total_and_breakdown", 3)
    assert error.message() == ("Buildings has both a total line (no source) and lines by source (rows 2), "
                               "which would count it twice.")


def test_every_problem_is_reported_at_once_in_row_order():
    report = check("Cardif,2022,Bulidings,,,,,1,,,", ROW, "Cardiff,2022-23,Fleet,Diesel,,10,kWh,,,,")
    codes = [(e.row, e.code) for e in report.errors]
    assert codes == [(2, "organisation_unknown"), (2, "year_bare"), (2, "category_unknown"),
                     (4, "unit_not_allowed")]
    assert report.to_dict()["summary"]["error_count"] == 4


def test_text_in_a_number_cell_is_the_matching_status_not_an_error():
    report = check("Cardiff,2022-23,Commuting,,,,,Not reported,,,", "Cardiff,2022-23,Land,,,,,n/a,,,",
                   "Cardiff,2022-23,Water,,,,,-,,,")
    assert report.valid
    assert list(report.lines["status"]) == ["not_reported", "not_applicable", "not_reported"]
    assert report.lines["emissions_tco2e"].isna().all()  # not zero
    assert [w.code for w in report.warnings] == ["status_from_cell"] * 3


def test_numbers_as_people_type_them():
    report = check(
        "Cardiff,2022-23,Buildings,Electricity,,\"1,234.5\",kWh,,,,",
        "Cardiff,2022-23,Buildings,Natural gas,,1 234.5,kWh,,,,",
        "Cardiff,2022-23,Supply chain,Goods,,£2500, GBP ,,,,",
        "Cardiff,2022-23,Waste,, , 12 ,tonnes,,,,",
    )
    assert report.valid, report.to_text()
    assert list(report.lines["activity_amount"]) == [1234.5, 1234.5, 2500.0, 12.0]


def test_scope_is_taken_from_the_source_or_a_single_scope_category():
    report = check(ROW, "Cardiff,2022-23,Fleet,Diesel,,10,litres,,,,", "Cardiff,2022-23,Waste,,,,,3,,,",
                   "Cardiff,2022-23,Street lighting,,,,,8,,,")
    assert report.valid
    # Street lighting has scopes 2 and 3, so its total line has no single scope: null, not a guess.
    assert report.lines["scope"].tolist()[:3] == [2, 1, 3]
    assert report.lines["scope"].isna().tolist() == [False, False, False, True]


def test_negative_emissions_are_allowed_in_land_only():
    assert check("Cardiff,2022-23,Land,Woodland,,100,hectares,-80,,,").valid


def test_the_report_names_the_bodies_and_years_a_file_covers():
    report = check(ROW, "Newport,2021-22,Waste,,,,,3,,,", "Newport City Council,2022-23,Waste,,,,,3,,,")
    assert report.valid
    summary = report.to_dict()["summary"]
    assert summary["organisations"] == [{"id": "cardiff", "name": "Cardiff Council"},
                                        {"id": "newport", "name": "Newport City Council"}]
    assert summary["reporting_years"] == ["2021-22", "2022-23"]


def test_the_chosen_body_and_year_fill_blanks_and_refuse_others():
    header = "category,source,emissions_tco2e"
    report = check("Buildings,Electricity,12", header=header, organisation="newport", reporting_year="2022-23")
    assert report.valid
    assert report.lines[["organisation_id", "reporting_year"]].iloc[0].tolist() == ["newport", "2022-23"]
    report = check(ROW, organisation="newport", reporting_year="2022-23")
    error = only_error(report)
    assert error.code == "organisation_not_chosen"
    assert error.message() == ("This line is for Cardiff Council, but you are uploading the return of "
                               "Newport City Council.")


def test_unknown_columns_are_a_warning_not_an_error():
    report = check(ROW + ",blue", header="organisation,reporting_year,category,source,scope,activity_amount,"
                   "activity_unit,emissions_tco2e,status,method,notes,colour")
    assert report.valid
    assert [w.code for w in report.warnings] == ["column_unknown"]
    assert report.warnings[0].message() == "These columns are not part of the return and were ignored: “colour”."


def test_headers_are_matched_case_and_order_free():
    report = check("2022-23,12,buildings,CARDIFF", header="Reporting Year,Emissions (tCO2e),CATEGORY,Organisation")
    assert report.valid
    assert report.lines["emissions_tco2e"].tolist() == [12.0]


def test_missing_category_column():
    report = check("Cardiff,2022-23,12", header="organisation,reporting_year,emissions_tco2e")
    assert only_error(report).message() == "There is no “category” column."


def test_no_figure_columns():
    report = check("Cardiff,2022-23,Buildings", header="organisation,reporting_year,category")
    assert only_error(report).code == "column_needs_figures"


def test_a_duplicated_header_is_an_error():
    report = check("Cardiff,2022-23,Buildings,1,2", header="organisation,reporting_year,category,tco2e,emissions")
    assert only_error(report).message() == ("Two columns are both headed “emissions_tco2e”, so we cannot tell "
                                            "which to use.")


def test_welsh_names_are_accepted_and_messages_can_be_welsh():
    report = check("Caerdydd,2022-23,Adeiladau,Trydan,,1000,kWh,,wedi'i fesur,,", "Caerdydd,2022-23,Dŵr,,,,,3,,,")
    assert report.valid, report.to_text()
    assert report.lines["category"].tolist() == ["buildings", "water"]
    bad = check("Caerdydd,2022-23,Adeiladu,,,,,3,,,")
    assert bad.errors[0].message("cy") == "Nid yw “Adeiladu” yn gategori adrodd."


def test_valid_return_gives_clean_lines(valid_csv):
    report = check(*VALID_LINES)
    assert report.valid
    lines = report.lines
    assert lines["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert lines["category"].tolist() == ["buildings", "buildings", "supply_chain", "land", "commuting",
                                          "homeworking"]
    assert lines["source"].tolist()[:2] == ["electricity", "natural_gas"]
    assert lines["activity_amount"].tolist()[:2] == [1_250_000.0, 2_000_000.0]
    assert lines["activity_unit"].tolist()[3] == "hectares"
    assert lines["status"].tolist() == ["measured", "estimated", "measured", "measured", "not_applicable",
                                        "not_reported"]
    assert lines["emissions_tco2e"].tolist()[:1] == [241.7]


# ---- activity that cannot become emissions (issue 11, item 3) ---------------

def factor_table(*rows: tuple[int, str, str, str, float]):
    """A factor table of (set year, category, source, unit, kgCO2e per unit), activities named by factor_map."""
    import pandas as pd

    from decarb_dashboard.factors import FACTOR_COLUMNS, FactorIndex

    names = FactorIndex(pd.DataFrame(columns=FACTOR_COLUMNS))
    return pd.DataFrame(
        [{"factor_year": y, "activity": names.activity(c, s, u), "unit": u, "kgco2e_per_unit": k, "scope": "",
          "confirmed": True, "source": "test", "note": ""} for y, c, s, u, k in rows], columns=FACTOR_COLUMNS)


GAS_2022 = factor_table((2022, "buildings", "natural_gas", "kWh", 0.18254))


def test_an_amount_with_no_figure_and_no_factor_is_a_warning_naming_the_line():
    # Supply chain goods in GBP and land in hectares have no factor in any table.
    report = check("Cardiff,2022-23,Supply chain,Goods,,£2500,GBP,,,,", "Cardiff,2022-23,Land,Woodland,,120,ha,,,,",
                   "Cardiff,2022-23,Supply chain,Services,,900,GBP,,,,", "Cardiff,2022-23,Land,Grassland,,5,ha,-3,,,")
    assert report.valid  # a warning: the lines are kept, and the submitter is told they count in no total
    warnings = [(w.code, w.row) for w in report.warnings]
    assert warnings == [("activity_not_computable", 2), ("activity_not_computable", 3),
                        ("activity_not_computable", 4)]  # row 5 gives its figure
    first = report.warnings[0]
    assert first.column == "activity_amount"
    assert first.message() == ("The line gives £2500 GBP of Goods (Supply chain) in 2022-23 but no emissions figure, "
                               "and there is no emission factor for Goods (Supply chain) in GBP for 2022-23: its "
                               "emissions cannot be worked out, so it would count in no total.")
    assert first.fix().startswith("Enter the line's emissions in emissions_tco2e (tonnes CO2e)")
    assert "Or give" not in first.fix()  # no unit of Goods has a factor
    assert "Nwyddau (Cadwyn gyflenwi) mewn GBP ar gyfer 2022-23" in first.message("cy")


def test_the_fix_lists_the_units_that_have_a_factor():
    report = check("Cardiff,2022-23,Buildings,Natural gas,,5000,m3,,,,", factors=GAS_2022)
    (warning,) = report.warnings
    assert warning.code == "activity_not_computable"
    assert warning.fix().endswith("Or give the amount in a unit that has a factor: kWh, MWh, GWh.")
    assert warning.fix("cy").endswith("Neu rhowch y swm mewn uned sydd â ffactor: kWh, MWh, GWh.")


def test_a_year_with_no_factor_of_its_own_is_a_warning_and_a_newer_year_is_told_its_stand_in():
    # Gas has a factor in the 2022 set only: 2022-23 is computed, 2021-22 cannot be (no older set
    # stands in), and 2024-25 (newer than every set) will be computed at the 2022 factor.
    report = check("Cardiff,2022-23,Buildings,Natural gas,,1000,kWh,,,,",
                   "Cardiff,2021-22,Buildings,Natural gas,,1000,kWh,,,,",
                   "Cardiff,2024-25,Buildings,Natural gas,,1000,kWh,,,,",
                   "Cardiff,2024-25,Buildings,Electricity,,1000,kWh,,,,", factors=GAS_2022)
    assert report.valid
    assert [(w.code, w.row) for w in report.warnings] == [("activity_not_computable", 3),
                                                         ("activity_factor_newest_set", 4),
                                                         ("activity_not_computable", 5)]
    assert report.warnings[1].message() == ("There is no official set of emission factors for 2024-25 yet, so the "
                                            "emissions of Natural gas (Buildings) on this line will be computed at "
                                            "the 2022 factor.")


def test_not_reported_lines_and_memo_sources_need_no_factor(monkeypatch):
    from dataclasses import replace

    from uploads_schema.vocabulary import vocabulary

    v = vocabulary()
    key = ("supply_chain", "goods")
    monkeypatch.setitem(v.sources, key, replace(v.sources[key]))
    object.__setattr__(v.sources[key], "stream", "memo")  # as renewable generation is on the factors branch
    report = check("Cardiff,2022-23,Supply chain,Goods,,2500,GBP,,,,",
                   "Cardiff,2022-23,Land,Woodland,,,,,not reported,,")
    assert report.valid
    assert report.warnings == []


def test_one_factor_lookup_per_kind_of_line_however_many_lines(monkeypatch):
    from decarb_dashboard.factors import FactorIndex

    asked = []
    real = FactorIndex.find
    monkeypatch.setattr(FactorIndex, "find", lambda self, *a: asked.append(a) or real(self, *a))
    lines = [f"Cardiff,2022-23,Supply chain,Goods,,{k},GBP,,,,{k}" for k in range(1, 3001)]
    report = check(*lines, "Cardiff,2022-23,Land,Woodland,,3,ha,,,,", factors=GAS_2022)
    assert report.counts["duplicate_line"] == 2999  # the same line repeated is another rule's business
    assert report.counts["activity_not_computable"] == 3001
    assert len([w for w in report.warnings if w.code == "activity_not_computable"]) == 200  # listed; all counted
    # Two kinds of line, each asked once, plus each of their other units once for the fix.
    assert len(asked) == 2 + 2


# ---- Total rows checked against their lines (issue 11, item 5) --------------

LINES_150_5 = ("Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Waste,,,,,50.5,,,")


def total_warnings(report):
    return [(w.code, w.row) for w in report.warnings if w.code.startswith("total_row")]


@pytest.mark.parametrize("total", ["150.5", "151", "150"])  # 0.33% off is within the 0.5% allowed
def test_a_total_row_that_matches_its_lines_is_checked_and_not_stored(total):
    report = check(*LINES_150_5, f"Cardiff,2022-23,Total,,,,,{total},,,")
    assert report.valid
    assert report.line_count == 2
    assert total_warnings(report) == [("total_row_ignored", 4)]
    assert report.warnings[0].message() == ("This is a total row (“Total”); checked: it matches the sum of your lines. "
                                            "Totals are worked out from your lines, so it was not stored as a line.")


def test_a_total_row_more_than_half_a_percent_off_is_a_warning_with_both_figures():
    report = check(*LINES_150_5, "Cardiff,2022-23,Total,,,,,152,,,")  # 1.5 tCO2e over: +1.0%
    assert report.valid
    assert report.line_count == 2
    (warning,) = report.warnings
    assert (warning.code, warning.row) == ("total_row_mismatch", 4)
    assert warning.message() == ("The total row (“Total”) gives 152 tCO2e for Cardiff Council, 2022-23, but the lines "
                                 "it totals add up to 150.5 tCO2e: a difference of 1.5 tCO2e (+1.0%).")
    assert "Cyngor Caerdydd, 2022-23" in warning.message("cy")


def test_a_category_total_is_checked_against_that_category_only():
    report = check("Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Buildings,Natural gas,,,,150,,,",
                   "Cardiff,2022-23,Buildings,Total,,,,300,,,", "Cardiff,2022-23,Waste,,,,,20,,,",
                   "Cardiff,2022-23,Total,,,,,270,,,")
    assert report.valid
    assert total_warnings(report) == [("total_row_mismatch", 4), ("total_row_ignored", 6)]
    assert report.warnings[0].message().startswith("The total row (“Total”) gives 300 tCO2e for Buildings, Cardiff "
                                                   "Council, 2022-23, but the lines it totals add up to 250 tCO2e: "
                                                   "a difference of 50 tCO2e (+20.0%).")


@pytest.mark.parametrize(("total", "code"), [("70", "total_row_ignored"), ("100", "total_row_ignored"),
                                             ("85", "total_row_mismatch")])
def test_a_total_may_be_net_of_land_or_without_it(total, code):
    report = check("Cardiff,2022-23,Waste,,,,,100,,,", "Cardiff,2022-23,Land,,,,,-30,,,",
                   f"Cardiff,2022-23,Total,,,,,{total},,,")
    assert total_warnings(report) == [(code, 4)]


def test_a_grand_total_under_several_bodies_and_years_totals_each_year():
    report = check("Cardiff,2022-23,Waste,,,,,100,,,", "Newport,2022-23,Waste,,,,,50,,,",
                   "Newport,2021-22,Waste,,,,,999,,,", ",2022-23,Total,,,,,150,,,", "Total,2021-22,,,,,,990,,,")
    assert report.line_count == 3
    assert total_warnings(report) == [("total_row_ignored", 5), ("total_row_mismatch", 6)]
    assert "gives 990 tCO2e for 2021-22, but the lines it totals add up to 999 tCO2e" in report.warnings[1].message()


def test_a_total_in_kilograms_is_compared_in_tonnes():
    header = "organisation,reporting_year,category,emissions_kgco2e"
    report = check("Powys,2022-23,Buildings,\"85,773,255\"", "Powys,2022-23,Fleet,1000",
                   "Powys,2022-23,Total,\"87,000,000\"", header=header)
    (mismatch,) = [w for w in report.warnings if w.code == "total_row_mismatch"]
    assert mismatch.message() == ("The total row (“Total”) gives 87,000 tCO2e for Powys County Council, 2022-23, but "
                                  "the lines it totals add up to 85,774.255 tCO2e: a difference of 1,225.745 tCO2e "
                                  "(+1.4%).")


def test_a_total_row_without_a_figure_is_said_to_be_unchecked():
    report = check(*LINES_150_5, "Cardiff,2022-23,Total,,,,,,,,")
    assert total_warnings(report) == [("total_row_unchecked", 4)]
    assert report.line_count == 2
