"""The report pack (decarb report, GET /report/<body>/<year>.pdf): a tagged PDF whose figures are decarb compare's.

The PDFs are opened with pypdf as a reader's software would: their text, /Lang, structure tree and
the alternative text of their figures.
"""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from decarb_dashboard.cli import main
from decarb_dashboard.web.components import change_text, figure_text

#: One worker runs this module, so that its module-scoped fixtures are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("report_pack")


@pytest.fixture(scope="module")
def pdfs(sample_store, tmp_path_factory) -> dict[str, PdfReader]:
    """Cardiff's 2022-23 report in English and in Welsh, written by ``decarb report``."""
    out = tmp_path_factory.mktemp("reports")
    found = {}
    for lang in ("en", "cy"):
        path = out / f"cardiff-{lang}.pdf"
        assert main(["report", "--org", "cardiff", "--year", "2022-23", "--lang", lang, "-o", str(path),
                     "--data-dir", str(sample_store.root)]) == 0
        found[lang] = PdfReader(path)
    return found


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def one_line(text: str) -> str:
    """The text with its line breaks as spaces (a figure and its words may wrap)."""
    return re.sub(r"\s+", " ", text)


def struct_elements(node: object) -> list[DictionaryObject]:
    """Every element of the structure tree under ``node``, depth first."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found = []
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            for kid in (kids if isinstance(kids, list) else [kids]):
                found += struct_elements(kid)
    elif isinstance(node, list):
        for kid in node:
            found += struct_elements(kid)
    return found


def compare_json(capsys, sample_store) -> dict:
    assert main(["compare", "--org", "cardiff", "--year", "2022-23", "--json",
                 "--data-dir", str(sample_store.root)]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_headline_figures_are_decarb_compare_s_rounded_as_displayed(pdfs, capsys, sample_store, lang):
    r = compare_json(capsys, sample_store)
    text = one_line(text_of(pdfs[lang]))
    # 154,627.9 tCO2e in the sample data, whole tonnes as on the page; the changes as the page says them.
    assert figure_text(r["total_tco2e"], "tco2e", lang, "tCO2e") == "154,628 tCO2e"
    assert "154,628 tCO2e" in text
    assert change_text(r["change_vs_baseline_pct"], r["change_vs_baseline_tco2e"], lang) in text
    assert change_text(r["change_year_on_year_pct"], r["change_year_on_year_tco2e"], lang) in text
    assert figure_text(r["intensities"]["tco2e_per_fte"], "intensity", lang) in text
    rank = {"en": "21 of 22 (1 = lowest)", "cy": "21 o 22 (1 = isaf)"}[lang]
    assert (r["peer_group"]["rank"], r["peer_group"]["peer_count"]) == (21, 22) and rank in text
    status = {"en": "provisional (awaiting review)", "cy": "dros dro (yn aros am adolygiad)"}[lang]
    assert status in text  # the sample returns are submitted, not yet accepted


def test_each_chart_has_a_table_of_its_figures(pdfs, capsys, sample_store):
    r = compare_json(capsys, sample_store)
    text = one_line(text_of(pdfs["en"]))
    for caption in ("Emissions by category and year, 2019-20 to 2023-24 (tCO2e)",
                    "Emissions against the path to net zero in 2030 (tCO2e, net of land)",
                    "Cardiff among bodies of the same type: Total emissions (tCO2e), 2022-23",
                    "Emissions by category in 2022-23 and their change"):
        assert caption in text
    buildings = next(c for c in r["categories"] if c["category"] == "buildings")
    assert figure_text(buildings["tco2e"], "tco2e", "en") in text
    assert "Open Government Licence v3.0 (Department for Energy Security and Net Zero)" in text
    # the 2022 set for 2022-23, named by its file (which may wrap at a hyphen)
    assert "2022(ghg-conversion-factors-2022-flat-format.xls)" in re.sub(r"\s", "", text)


def test_the_welsh_report_is_tagged_with_its_language_title_and_alternative_text(pdfs):
    reader = pdfs["cy"]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "cy"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert reader.metadata.title == "Cyngor Caerdydd: adroddiad allyriadau carbon, 2022-23"
    elements = struct_elements(root["/StructTreeRoot"])
    kinds = [str(e["/S"]) for e in elements]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") == 7 and "/Table" in kinds and "/TH" in kinds
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert len(figures) == 3  # categories, trajectory, peers
    alts = [str(f["/Alt"]) for f in figures]
    assert all("Mae'r ffigurau yn y tabl sy'n dilyn." in a for a in alts)
    assert alts[0].startswith("Siart bar wedi'i bentyrru o allyriadau Cyngor Caerdydd")


def test_the_english_report_says_en(pdfs):
    assert pdfs["en"].trailer["/Root"]["/Lang"] == "en"
    assert pdfs["en"].metadata.title == "Cardiff Council: carbon emissions report, 2022-23"


#: Words an English sentence could not do without; none may be in the Welsh report's text ("is", Welsh for
#: "lower", is left out).
ENGLISH = {"the", "and", "of", "to", "in", "for", "with", "by", "on", "from", "not", "are", "was", "since",
           "emissions", "change", "total", "report", "figures", "category", "categories", "year", "reported",
           "left", "out", "path", "peers", "method", "flags", "lower", "higher", "among", "body", "bodies"}


def test_the_welsh_report_has_no_english_words(pdfs):
    text = text_of(pdfs["cy"])
    # Names and units stay as they are: file names (with hyphens and dots), tCO2e, CO2e.
    words = {w.strip(".,:;()\"'").lower() for w in text.split()
             if not re.search(r"[-./0-9]", w)}
    assert words & ENGLISH == set()
    assert "Dŵr" in text  # the Welsh letters are set, in a font that has them


def test_decarb_report_refuses_an_unknown_body_or_year_with_a_coded_message(capsys, sample_store, tmp_path):
    out = tmp_path / "report.pdf"
    base = ["report", "-o", str(out), "--data-dir", str(sample_store.root)]
    # A name the register does not know is refused where every command resolves --org, before any work.
    assert main([*base, "--org", "atlantis", "--year", "2022-23"]) == 2
    assert "no body called 'atlantis' in the register" in capsys.readouterr().err and not out.exists()
    assert main([*base, "--org", "cardiff", "--year", "2010-11", "--lang", "cy"]) == 2
    err = capsys.readouterr().err
    assert "[report_no_figures] dim ffigurau cyhoeddedig ar gyfer cardiff yn 2010-11" in err
    assert "2019-20, 2020-21, 2021-22, 2022-23, 2023-24" in err and not out.exists()
    assert list(tmp_path.iterdir()) == []  # no partial file either


def test_the_place_among_peers_is_in_the_peer_group_and_metric_chosen(capsys, sample_store, tmp_path):
    """``--peer-group region --metric per_fte``: the peers section ranks Cardiff by tCO2e per FTE among the
    bodies of its region, with decarb compare's rank and figures; the default report ranks by total emissions."""
    from decarb_dashboard.web.pages.organisation import rank_text

    path = tmp_path / "cardiff-region-per-fte.pdf"
    assert main(["report", "--org", "cardiff", "--year", "2022-23", "--peers", "region", "--metric", "per_fte",
                 "-o", str(path), "--data-dir", str(sample_store.root)]) == 0
    capsys.readouterr()
    assert main(["compare", "--org", "cardiff", "--year", "2022-23", "--peer-group", "region", "--metric",
                 "per_fte", "--json", "--data-dir", str(sample_store.root)]) == 0
    peer = json.loads(capsys.readouterr().out)["peer_group"]
    text = one_line(text_of(PdfReader(path)))
    assert "Cardiff among bodies in the same region: Emissions per staff FTE (tCO2e per FTE), 2022-23" in text
    assert "Cardiff among bodies of the same type" not in text
    own = figure_text(peer["body_tco2e_per_fte"], "intensity", "en")
    assert re.fullmatch(r"\d+\.\d+", own) and own in text  # Cardiff's tCO2e per FTE, not its total
    assert (peer["rank"], peer["peer_count"]) == (11, 22) and rank_text(peer, "en") in text
    assert "21 of 22 (1 = lowest)" not in text  # the default report's rank, among councils by total emissions


def test_decarb_report_refuses_a_peer_group_or_metric_it_does_not_know(capsys, sample_store, tmp_path):
    out = tmp_path / "report.pdf"
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--org", "cardiff", "--year", "2022-23", "--metric", "per_cat", "-o", str(out),
              "--data-dir", str(sample_store.root)])
    assert stopped.value.code == 2 and "per_fte" in capsys.readouterr().err and not out.exists()
