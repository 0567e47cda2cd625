"""Write the hostile-input corpus: broken, malicious and strange upload files, and what each must give.

Run ``python -m tests.hostile.make_corpus`` to rebuild ``tests/hostile/files/`` and
``tests/hostile/MANIFEST.csv`` (file, expected outcome, what it is). The files are
committed, so the test reads exactly what is listed; the script says how each was made.

Expected outcome: ``valid`` (a strange but correct return, e.g. Welsh letters), or
``invalid`` (a clear report of its problems, or a refusal to read it).
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).parent
FILES = HERE / "files"
HEADER = ["organisation", "reporting_year", "category", "source", "scope", "activity_amount", "activity_unit",
          "emissions_tco2e", "status", "method", "notes"]
GOOD = [
    ["Cardiff Council", "2022-23", "Buildings", "Electricity", "2", "1250000", "kWh", "241.7", "measured",
     "activity", ""],
    ["Cardiff Council", "2022-23", "Waste", "", "", "", "", "95.5", "", "", ""],
]


def rows_csv(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8",
             delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def line(**cells: str) -> list[str]:
    """A good Cardiff line with some cells replaced."""
    row = dict(zip(HEADER, GOOD[1], strict=True))
    row.update(cells)
    return [row[c] for c in HEADER]


def xlsx(rows: list[list[object]], header: list[str] = HEADER, build: Callable | None = None) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    if build:
        build(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Rewrite an .xlsx archive, passing every member through ``change`` (None drops it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def corpus() -> list[tuple[str, str, str, bytes]]:
    """Return (file name, expected outcome, what it is, bytes) for every case."""
    rnd = random.Random(20261128)
    good = rows_csv(GOOD)
    good_xlsx = xlsx(GOOD)
    cases: list[tuple[str, str, str, bytes]] = []

    def add(name: str, expect: str, what: str, data: bytes) -> None:
        cases.append((name, expect, what, data))

    # ---- binary junk and files that are not returns -----------------------------------------
    for size in (1, 17, 4096, 300_000):
        add(f"junk-{size}.csv", "invalid", f"{size} random bytes", rnd.randbytes(size))
    add("junk.xlsx", "invalid", "random bytes named .xlsx", rnd.randbytes(5000))
    add("nul-bytes.csv", "invalid", "nothing but NUL bytes", b"\x00" * 10_000)
    add("png.csv", "invalid", "a PNG image named .csv", b"\x89PNG\r\n\x1a\n" + rnd.randbytes(2000))
    add("pdf.csv", "invalid", "a PDF named .csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rnd.randbytes(2000))
    add("elf.xlsx", "invalid", "an executable named .xlsx", b"\x7fELF\x02\x01\x01" + rnd.randbytes(2000))
    add("old-excel.xls", "invalid", "a legacy .xls (OLE2) header", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4000))
    add("html-page.csv", "invalid", "an HTML page saved as .csv",
        b"<!doctype html><html><body><table><tr><td>organisation</td></tr></table></body></html>")
    add("json.csv", "invalid", "JSON named .csv", b'{"organisation": "Cardiff", "emissions_tco2e": 5}')
    add("plain-zip.xlsx", "invalid", "a zip of a CSV, not a workbook",
        _zip({"return.csv": good}))
    add("docx-as-xlsx.xlsx", "invalid", "a Word document's parts named .xlsx",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}))
    add("empty.csv", "invalid", "zero bytes", b"")
    add("whitespace.csv", "invalid", "only spaces and newlines", b"   \n\n  \t \n")
    add("header-only.csv", "invalid", "the header and no lines", rows_csv([]))
    add("no-header.csv", "invalid", "lines without a header", b"\n".join(
        ",".join(r).encode() for r in GOOD))
    add("header-only.xlsx", "invalid", "a workbook with the header and no lines", xlsx([]))
    add("empty-sheet.xlsx", "invalid", "a workbook whose sheet is empty", xlsx([], header=[]))

    # ---- encodings ------------------------------------------------------------------------------
    welsh = [line(organisation="Cyngor Sir Ynys Môn", notes="Pŵer, dŵr a thŷ â tho")]
    add("utf16le-bom.csv", "valid", "UTF-16 LE with a byte-order mark (Excel's 'Unicode text')",
        rows_csv(welsh, encoding="utf-16"))
    add("utf16be-bom.csv", "valid", "UTF-16 BE with a byte-order mark", b"\xfe\xff" + rows_csv(welsh).decode()
        .encode("utf-16-be"))
    add("utf8-bom.csv", "valid", "UTF-8 with a byte-order mark", b"\xef\xbb\xbf" + rows_csv(welsh))
    add("cp1252.csv", "valid", "Windows-1252 with £ and ô (no ŵ, which it cannot hold)",
        rows_csv([line(organisation="Cyngor Sir Ynys Môn", emissions_tco2e="£95", notes="£ spend")],
                 encoding="cp1252"))
    add("latin1-welsh-lost.csv", "valid", "Latin-1 where Welsh letters became '?' in notes",
        rows_csv([line(notes="P?er d?r")], encoding="latin-1"))
    add("utf32.csv", "invalid", "UTF-32 (not a CSV encoding anyone sends)", rows_csv(welsh, encoding="utf-32"))
    add("ebcdic.csv", "invalid", "EBCDIC (cp500) from a mainframe", rows_csv(GOOD, encoding="cp500"))
    add("shift-jis.csv", "invalid", "Shift-JIS text with Japanese names",
        rows_csv([line(organisation="カーディフ市")], encoding="shift_jis"))
    add("bad-utf8.csv", "invalid", "UTF-8 with broken multi-byte sequences in the organisation",
        good.replace(b"Cardiff Council", b"Cardiff \xc3\x28\xa0\xa1 Council", 1))
    add("mixed-encodings.csv", "valid", "one line UTF-8, one line Latin-1 (notes only)",
        rows_csv([line(notes="dŵr")]) + "Cardiff Council,2022-23,Water,,,,,1.5,,,caf\xe9\n".encode("latin-1"))
    add("utf8-truncated-char.csv", "valid", "ends in the middle of a multi-byte letter in notes",
        rows_csv([line(notes="tŷ")])[:-2])

    # ---- layout ---------------------------------------------------------------------------------
    wide = HEADER + [f"extra_{k}" for k in range(10_000 - len(HEADER))]
    add("10000-columns.csv", "invalid", "10,000 columns in the header and every line",
        rows_csv([GOOD[0] + ["x"] * (len(wide) - len(HEADER))], header=wide))
    add("10000-cells-one-row.csv", "invalid", "one line of 10,000 cells under a normal header",
        rows_csv([GOOD[0] + ["1"] * 9_989]))
    add("10000-columns.xlsx", "invalid", "a workbook 10,000 columns wide",
        xlsx([GOOD[0] + ["x"] * (len(wide) - len(HEADER))], header=wide))
    add("million-empty-rows.csv", "valid", "a header, one line and a million empty lines",
        good + b"\n" * 1_000_000)
    wide_200 = HEADER + [f"extra_{k}" for k in range(200 - len(HEADER))]
    add("million-empty-rows-wide.csv", "valid", "200 columns, one line and a million empty lines (1 MB)",
        rows_csv([GOOD[0] + [""] * (len(wide_200) - len(HEADER))], header=wide_200) + b"\n" * 1_000_000)
    add("comma-rows.csv", "invalid", "800,000 lines of nothing but commas (8.8 MB)",
        rows_csv([]) + b",,,,,,,,,,\n" * 800_000)
    add("million-newlines.csv", "invalid", "a million newlines and nothing else", b"\n" * 1_000_000)
    add("last-row-million.xlsx", "invalid", "a workbook with a cell on row 1,048,576 and nothing between",
        xlsx(GOOD[:1], build=lambda wb: wb.active.cell(row=1_048_576, column=1, value="x")))
    add("last-row-million-wide.xlsx", "invalid", "200 columns, one line and a cell on row 1,048,576 (6 KB)",
        xlsx([GOOD[0] + [None] * (len(wide_200) - len(HEADER))], header=wide_200,
             build=lambda wb: wb.active.cell(row=1_048_576, column=1, value="x")))
    add("semicolons.csv", "valid", "semicolon-separated (European Excel)", rows_csv(GOOD, delimiter=";"))
    add("tabs.csv", "valid", "tab-separated", rows_csv(GOOD, delimiter="\t"))
    add("pipes.csv", "invalid", "pipe-separated", rows_csv(GOOD, delimiter="|"))
    add("duplicate-columns.csv", "invalid", "the emissions column twice", rows_csv(
        [[*r, "1"] for r in GOOD], header=[*HEADER, "emissions_tco2e"]))
    add("unclosed-quote.csv", "invalid", "a quote opened in notes and never closed",
        good + b'Cardiff Council,2022-23,Water,,,,,1,,,"never closed\n' * 3)
    add("quoted-newlines.csv", "valid", "notes with line breaks inside quotes",
        rows_csv([line(notes="first line\nsecond line\r\nthird")]))
    add("ragged.csv", "invalid", "lines with too few and too many cells",
        good + b"Cardiff Council,2022-23\nCardiff Council,2022-23,Water,,,,,1,,,,,,,,,\n")
    add("nul-in-cells.csv", "invalid", "NUL bytes inside the cells", good.replace(b"Waste", b"Wa\x00ste"))
    add("control-chars.csv", "invalid", "control characters in the category",
        rows_csv([line(category="Was\x07te\x1b[31m")]))
    add("cr-only.csv", "valid", "old Mac line endings (CR only)", good.replace(b"\n", b"\r"))
    add("truncated-mid-line.csv", "invalid", "cut off in the middle of a line", good[: len(good) - 20])
    add("truncated-mid-quote.csv", "invalid", "cut off inside a quoted cell",
        rows_csv([line(notes="a long, quoted note")])[:-8])

    # ---- workbooks: damage, bombs, encryption ---------------------------------------------------------
    for share in (0.1, 0.5, 0.9, 0.99):
        add(f"truncated-{int(share * 100)}pct.xlsx", "invalid", f"a workbook cut off at {share:.0%}",
            good_xlsx[: int(len(good_xlsx) * share)])
    add("bomb-sheet.xlsx", "invalid", "a sheet that unpacks to 1 GB (zip bomb)",
        _bomb(good_xlsx, 1024 * 1024 * 1024))
    add("bomb-many-parts.xlsx", "invalid", "10,000 extra parts in the archive",
        rezip(good_xlsx, lambda n, c: c, {f"xl/media/x{k}.bin": b"0" * 20_000 for k in range(10_000)}))
    add("bomb-lying-sizes.xlsx", "invalid", "a sheet whose stated size is smaller than its content",
        _lying_sizes(good_xlsx))
    add("empty-rows-2m.xlsx", "invalid", "a return followed by 2 million empty <row/> elements",
        _row_flood(good_xlsx, lambda k: b"<row/>", 2_000_000))
    add("short-rows-30k.xlsx", "invalid", "a return followed by 30,000 rows of one short cell",
        _row_flood(good_xlsx, lambda k: b'<row r="%d"><c r="L%d"><v>1</v></c></row>' % (k, k), 30_000))
    add("billion-laughs.xlsx", "invalid", "an XML entity bomb in the sheet",
        rezip(good_xlsx, lambda n, c: _laughs() if n == "xl/worksheets/sheet1.xml" else c))
    add("billion-laughs-strings.xlsx", "invalid", "an XML entity bomb in the shared strings",
        rezip(good_xlsx, lambda n, c: c, {"xl/sharedStrings.xml": _laughs()}))
    add("xxe.xlsx", "invalid", "an external entity reading /etc/passwd",
        rezip(good_xlsx, lambda n, c: (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                       + c.split(b"?>", 1)[-1]) if n == "xl/workbook.xml" else c))
    add("no-workbook-part.xlsx", "invalid", "an archive without xl/workbook.xml",
        rezip(good_xlsx, lambda n, c: None if n == "xl/workbook.xml" else c))
    add("bad-sheet-xml.xlsx", "invalid", "a sheet whose XML is not well formed",
        rezip(good_xlsx, lambda n, c: c[: len(c) // 2] if n == "xl/worksheets/sheet1.xml" else c))
    add("chart-only.xlsx", "invalid", "a workbook without worksheets (its sheet part removed)",
        rezip(good_xlsx, lambda n, c: None if n.startswith("xl/worksheets/") else c))
    add("stored-not-deflated.xlsx", "valid", "a workbook stored without compression",
        rezip(good_xlsx, lambda n, c: c, compression=zipfile.ZIP_STORED))
    add("encrypted.xlsx", "invalid", "a password-protected workbook", _encrypted(good_xlsx))
    add("zip-encrypted-flag.xlsx", "invalid", "an archive whose parts claim to be encrypted",
        _flag_encrypted(good_xlsx))
    add("formulas.xlsx", "invalid", "formulas in figure cells, never calculated (no cached values)",
        xlsx([line(emissions_tco2e="=SUM(1,2)"), line(category="Water", emissions_tco2e="=1/0")]))
    add("error-cells.xlsx", "invalid", "#REF! and #DIV/0! in figure cells",
        xlsx([line(emissions_tco2e="#REF!"), line(category="Water", emissions_tco2e="#DIV/0!")]))
    add("dates-as-years.xlsx", "invalid", "the reporting year typed as a date",
        xlsx([[*GOOD[1][:1], datetime.date(2022, 4, 1), *GOOD[1][2:]]]))
    add("booleans.xlsx", "invalid", "TRUE in the emissions cell",
        xlsx([[*GOOD[1][:7], True, *GOOD[1][8:]]]))
    add("hidden-sheet-first.xlsx", "valid", "a hidden notes sheet before the Return sheet",
        xlsx(GOOD, build=lambda wb: setattr(wb.create_sheet("Notes", 0), "sheet_state", "hidden")))
    add("merged-cells.xlsx", "invalid", "merged organisation cells (blank below the first)",
        xlsx([GOOD[0], ["", *GOOD[1][1:]]], build=lambda wb: wb.active.merge_cells("A2:A3")))

    # ---- text that must stay text ---------------------------------------------------------------------
    for k, payload in enumerate(["=HYPERLINK(\"http://evil.example\",\"Click\")", "=cmd|' /C calc'!A0",
                                 "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]):
        # A bare carriage return ends a line in CSV, so the last one splits its line in two.
        add(f"formula-notes-{k}.csv", "invalid" if payload.startswith("\r") else "valid",
            f"spreadsheet formula in notes: {payload!r}",
            rows_csv([line(notes=payload)]))
    add("formula-organisation.csv", "invalid", "a formula as the organisation",
        rows_csv([line(organisation="=HYPERLINK(\"http://evil.example\",\"Cardiff\")")]))
    add("formula-figure.csv", "invalid", "a formula as the emissions figure",
        rows_csv([line(emissions_tco2e="=1+1")]))
    for k, payload in enumerate(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                 "javascript:alert(1)", "<a href=\"javascript:alert(1)\">x</a>"]):
        add(f"html-notes-{k}.csv", "valid", f"HTML/script in notes: {payload!r}", rows_csv([line(notes=payload)]))
        add(f"html-category-{k}.csv", "invalid", f"HTML/script as the category: {payload!r}",
            rows_csv([line(category=payload)]))
    add("html-header.csv", "valid", "a script tag as a column name (an unknown column: a warning)",
        rows_csv(GOOD, header=[*HEADER[:-1], "<script>alert(1)</script>"]))
    add("html-organisation.xlsx", "invalid", "a script tag as the organisation in a workbook",
        xlsx([line(organisation="<script>alert(document.cookie)</script>")]))

    # ---- sizes of cells -------------------------------------------------------------------------------
    add("long-notes.csv", "valid", "a 1 MB note", rows_csv([line(notes="x" * 1_000_000)]))
    add("long-organisation.csv", "invalid", "a 200,000-character organisation",
        rows_csv([line(organisation="Cardiff " * 25_000)]))
    add("long-header.csv", "valid", "a 100,000-character column name (an unknown column: a warning)",
        rows_csv(GOOD, header=[*HEADER[:-1], "n" * 100_000]))
    add("long-number.csv", "invalid", "a 5,000-digit emissions figure", rows_csv([line(emissions_tco2e="9" * 5000)]))
    add("long-cell.xlsx", "valid", "a 32,000-character note in a workbook (Excel's cell limit)",
        xlsx([line(notes="y" * 32_000)]))
    add("many-lines.csv", "invalid", "50,000 copies of one line (duplicates)", rows_csv([GOOD[1]] * 50_000))

    # ---- numbers ----------------------------------------------------------------------------------------
    for k, text in enumerate(["NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "∞", "NULL", "None",
                              "#N/A", "1e-400", "0x1F", "1_000", "١٢٣", "12,34,5"]):
        expect = "valid" if text == "1e-400" else "invalid"
        add(f"number-{k}.csv", expect, f"{text!r} as the emissions figure", rows_csv([line(emissions_tco2e=text)]))
    add("negative-zero.csv", "valid", "-0 as the emissions figure", rows_csv([line(emissions_tco2e="-0")]))
    add("tiny-huge.csv", "valid", "1e-300 and 1e15 as figures",
        rows_csv([line(emissions_tco2e="1e-300"), line(category="Water", emissions_tco2e="1e15")]))

    # ---- right-to-left text and Welsh letters -----------------------------------------------------------
    add("rtl-notes.csv", "valid", "Arabic and Hebrew in notes", rows_csv([line(notes="انبعاثات الكربون שלום")]))
    add("rtl-override.csv", "invalid", "a right-to-left override inside the organisation",
        rows_csv([line(organisation="Cardiff\u202e licnuoC")]))
    add("rtl-category.csv", "invalid", "an Arabic category", rows_csv([line(category="النفايات")]))
    add("welsh-names.csv", "valid", "Welsh names with ŵ, ŷ and â",
        rows_csv([line(organisation="Cyngor Gwynedd", category="Gwastraff", notes="Dŵr, tŷ, â")]))
    add("welsh-combining.csv", "valid", "Ynys Môn written with a combining circumflex (o + U+0302)",
        rows_csv([line(organisation="Cyngor Sir Ynys Mo\u0302n")]))
    add("zero-width.csv", "valid", "zero-width spaces and a no-break space in the organisation",
        rows_csv([line(organisation="Cardiff\u200b\u00a0Council")]))
    add("emoji.csv", "valid", "emoji in notes", rows_csv([line(notes="🌍🔥 net zero 2030")]))
    add("welsh.xlsx", "valid", "Welsh names in a workbook",
        xlsx([line(organisation="Cyngor Caerdydd", category="Adeiladau", source="Trydan", notes="ŵŷâ")]))
    return cases


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return out.getvalue()


def _with_sheet(workbook: bytes, pieces: Callable[[bytes], Iterable[bytes]]) -> bytes:
    """The workbook with its sheet replaced by the pieces ``pieces(sheet_xml)`` yields, every other part kept."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as part:
                    for piece in pieces(source.read(info)):
                        part.write(piece)
            else:
                target.writestr(info.filename, source.read(info))
    return out.getvalue()


def _bomb(workbook: bytes, size: int) -> bytes:
    """Replace the sheet with ``size`` bytes of spaces, which deflate to about a thousandth."""
    block = b" " * (1024 * 1024)
    return _with_sheet(workbook, lambda _sheet: (block for _ in range(size // len(block))))


def row_flood_sheet(sheet_xml: bytes, row: Callable[[int], bytes], count: int, chunk: int = 100_000):
    """Yield ``sheet_xml`` in pieces with ``count`` rows made by ``row(number)`` added after its own rows."""
    head, tail = sheet_xml.split(b"</sheetData>", 1)
    yield head
    first = head.count(b"<row") + 2
    for start in range(0, count, chunk):
        yield b"".join(row(first + k) for k in range(start, min(count, start + chunk)))
    yield b"</sheetData>" + tail


def _row_flood(workbook: bytes, row: Callable[[int], bytes], count: int) -> bytes:
    """The workbook with ``count`` extra rows at the end of its sheet (item 1 of issue 12: rows, not values, cost)."""
    return _with_sheet(workbook, lambda sheet: row_flood_sheet(sheet, row, count))


def _lying_sizes(workbook: bytes) -> bytes:
    """Set the sheet's stated unpacked size (in both headers) to 10 bytes."""
    data = bytearray(workbook)
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + size_at:at + size_at + 4] = (10).to_bytes(4, "little")
            start = at + 4
    return bytes(data)


def _laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10}">' for k in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">{entities}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>').encode()


def _encrypted(workbook: bytes) -> bytes:
    import msoffcrypto.format.ooxml

    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(workbook)).encrypt("secret", out)
    return out.getvalue()


def _flag_encrypted(workbook: bytes) -> bytes:
    data = bytearray(workbook)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            data[at + flags_at] |= 0x1
            start = at + 4
    return bytes(data)


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    with open(HERE / "MANIFEST.csv", "w", newline="", encoding="utf-8") as manifest:
        writer = csv.writer(manifest, lineterminator="\n")
        writer.writerow(["file", "expect", "what"])
        for name, expect, what, data in corpus():
            (FILES / name).write_bytes(data)
            writer.writerow([name, expect, what])
    print(f"wrote {len(corpus())} files to {FILES}")


if __name__ == "__main__":
    main()
