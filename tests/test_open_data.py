"""The open data's data dictionary (generated from the contract) and its licence (a setting)."""

from __future__ import annotations

from decarb_dashboard import config
from decarb_dashboard.export import data_dictionary
from uploads_schema.columns import columns


def test_the_data_dictionary_has_every_column_of_the_contract_in_both_languages():
    dictionary = data_dictionary().set_index("column")
    assert list(dictionary.index) == [spec.name for spec in columns()]
    category = dictionary.loc["category"]
    assert category["header_cy"] == "categori"
    assert category["description_cy"] == "Y categori adrodd, yn Gymraeg neu'n Saesneg."
    assert "buildings" in category["allowed_values"].split("|")
    assert dictionary.loc["notes", "allowed_values"] is None  # free text: no list of values


def test_the_licence_is_the_open_government_licence_unless_the_deployment_sets_one(monkeypatch):
    for name in ("DECARB_DATA_LICENCE", "DECARB_DATA_LICENCE_CY", "DECARB_DATA_LICENCE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert config.data_licence("en") == (
        "Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    assert config.data_licence("cy")[0] == "Trwydded Llywodraeth Agored v3.0"
    monkeypatch.setenv("DECARB_DATA_LICENCE", "CC BY 4.0")
    monkeypatch.setenv("DECARB_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
    assert config.data_licence("cy") == ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
