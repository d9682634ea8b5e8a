"""Downloads: every published table as CSV and XLSX from one writer, numbers as numbers, hidden
cells as on the page, identical files on every run, linked from the table's page."""

import json
from csv import reader

import nbformat
import pandas as pd
import pytest

from analysis.metrics.disclosure import table_digest
from analysis.pages.published import DOWNLOAD_MIME, Col, PublishedTable
from analysis.report.downloads import (
    FOLDER,
    TableFile,
    collect_tables,
    link_downloads,
    write_downloads,
)


def published(table_id: str = "cakupan_uji") -> PublishedTable:
    data = pd.DataFrame(
        {"kel": ["Mojo", "Sewu"], "n": [1234, 3], "rate": [0.0973, 0.5], "rp": [201600, None]}
    )
    state = pd.DataFrame({"n": [0, 1], "rate": [0, 1]})
    cols = [
        Col("kel", "Kelurahan"),
        Col("n", "Pekerja", "count"),
        Col("rate", "Cakupan", "pct"),
        Col("rp", "Harga", "rp"),
    ]
    return PublishedTable("Tabel uji", cols, data, "id", state, 5, id=table_id)


def as_file(table: PublishedTable, page: str = "02_coverage_map") -> TableFile:
    return TableFile.from_payload(table.payload(), page)


def test_csv_and_xlsx_hold_numbers_as_numbers_and_marks_as_text(tmp_path):
    entries = write_downloads([as_file(published())], tmp_path / FOLDER, "2026-10")
    csv = pd.read_csv(tmp_path / FOLDER / "cakupan_uji.csv")
    assert list(csv.columns) == ["Kelurahan", "Pekerja", "Cakupan (%)", "Harga (Rp)"]
    assert csv["Pekerja"].tolist() == ["1234", "<5"] and csv["Cakupan (%)"].tolist() == ["9.7", "x"]
    assert csv["Harga (Rp)"].iloc[0] == 201600 and pd.isna(csv["Harga (Rp)"].iloc[1])
    book = pd.read_excel(tmp_path / FOLDER / "cakupan_uji.xlsx", sheet_name=None)
    table, notes = book.values()
    assert table["Pekerja"].tolist() == [1234, "<5"] and table["Cakupan (%)"].iloc[0] == 9.7
    assert isinstance(table["Pekerja"].iloc[0], int)
    text = " ".join(str(v) for v in notes.iloc[:, 0].tolist() + list(notes.columns))
    assert "Oktober 2026" in text and "<5 = kurang dari 5 orang" in text
    assert {e["id"] for e in entries} == {"cakupan_uji"} and {e["file"] for e in entries} == {
        "unduhan/cakupan_uji.csv",
        "unduhan/cakupan_uji.xlsx",
    }
    # each file is marked with the gate's digest of exactly its cells, as the scanner reads them
    gated = published().download_gate()
    assert {e["digest"] for e in entries} == {gated.digest}
    with open(tmp_path / FOLDER / "cakupan_uji.csv", encoding="utf-8", newline="") as f:
        head, *rows = list(reader(f))
    assert table_digest(head, rows) == gated.digest


def test_a_download_changed_after_the_gate_is_refused(tmp_path):
    changed = as_file(published())
    changed.rows[1][1] = 3  # the hidden '<5' written as the count itself
    with pytest.raises(ValueError, match="not the table the disclosure gate marked"):
        write_downloads([changed], tmp_path, "2026-10")


def test_writing_twice_gives_identical_files(tmp_path):
    for name in ("a", "b"):
        write_downloads([as_file(published())], tmp_path / name, "2026-10")
    for ext in ("csv", "xlsx"):
        assert (tmp_path / "a" / f"cakupan_uji.{ext}").read_bytes() == (
            tmp_path / "b" / f"cakupan_uji.{ext}"
        ).read_bytes()


def test_tables_are_collected_from_the_page_cells_only(tmp_path):
    nb = nbformat.v4.new_notebook()
    shown, hidden = published("dipakai"), published("analis")
    for table, tags in ((shown, []), (hidden, ["remove"])):
        cell = nbformat.v4.new_code_cell("", metadata={"tags": tags})
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={DOWNLOAD_MIME: table.payload()})
        ]
        nb.cells.append(cell)
    path = tmp_path / "02_coverage_map.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = collect_tables([path])
    assert [(t.id, t.page) for t in found] == [("dipakai", "02_coverage_map")]
    with pytest.raises(ValueError, match="two published tables"):
        collect_tables([path, path])


def test_each_table_gets_its_download_links_where_its_page_marked_them():
    html = published("dipakai").html() + published("lain").html()
    out = link_downloads(html, "id", {"dipakai"})
    assert '<a href="unduhan/dipakai.csv" download>CSV</a>' in out
    assert '<a href="unduhan/dipakai.xlsx" download>XLSX</a>' in out
    assert "unduhan/lain" not in out and "<!--downloads:" not in out
