"""The published-folder scanner: every table gated and unchanged, no small count outside one,
every download marked in the manifest; a planted small cell fails publication."""

import json

import pandas as pd

from analysis.metrics.disclosure import gate
from analysis.pages.text import analyst_table, download, table
from analysis.report.privacy import check_published


def page(folder, name, *bodies):
    (folder / name).write_text(
        "<html><body>" + "".join(bodies) + "</body></html>", encoding="utf-8"
    )


def gated_html(frame, counts):
    return table(gate(frame, "t", counts=counts)).html()


def kinds(found):
    return {(f.path.name, f.kind) for f in found}


FRAME = pd.DataFrame({"Kelurahan": ["Jebres", "Sewu"], "Pekerja": ["120", "<5"]})


def test_gated_tables_pass(tmp_path):
    page(tmp_path, "p.html", gated_html(FRAME, ["Pekerja"]), "<p>Ada 3 kecamatan.</p>")
    assert check_published(tmp_path) == []


def test_an_unmarked_table_with_a_small_cell_fails(tmp_path):
    raw = FRAME.assign(Pekerja=["120", "3"]).to_html(index=False)  # a DataFrame shown as is
    page(tmp_path, "p.html", raw)
    assert kinds(check_published(tmp_path)) == {
        ("p.html", "unmarked_table"),
        ("p.html", "small_count"),
    }


def test_a_table_changed_after_the_gate_fails(tmp_path):
    html = gated_html(FRAME, ["Pekerja"]).replace("&lt;5", "3")
    page(tmp_path, "p.html", html)
    assert kinds(check_published(tmp_path)) == {
        ("p.html", "altered_table"),
        ("p.html", "small_count"),
    }


def test_a_small_count_in_a_text_output_fails(tmp_path):
    page(tmp_path, "p.html", "<pre>Sewu      3\nJebres  120</pre>")
    assert kinds(check_published(tmp_path)) == {("p.html", "small_count")}


def test_a_planted_csv_fails_and_a_gated_one_passes(tmp_path):
    pub = gate(FRAME, "t", counts=["Pekerja"])
    data = pub.csv_bytes()
    (tmp_path / "t.csv").write_bytes(data)
    (tmp_path / "manifest.json").write_text(
        json.dumps({"downloads": [pub.download_entry("t.csv", data)]})
    )
    assert check_published(tmp_path) == []
    (tmp_path / "planted.csv").write_text("Kelurahan,Pekerja\nSewu,3\n", encoding="utf-8")
    assert kinds(check_published(tmp_path)) == {
        ("planted.csv", "unmarked_download"),
        ("planted.csv", "small_count"),
    }
    (tmp_path / "t.csv").write_bytes(data.replace(b"<5", b"4"))  # edited after the gate
    assert ("t.csv", "unmarked_download") in kinds(check_published(tmp_path))


def test_a_csv_carried_in_a_page_link_must_be_gated(tmp_path):
    """The visit plan's download lives inside the page (a data: link): the gate's mark on the
    link must match the file's cells; an unmarked or edited one fails, as a file would."""
    link = download(gate(FRAME, "t", counts=["Pekerja"]), "t.csv", "Unduh").html()
    page(tmp_path, "p.html", link)
    assert check_published(tmp_path) == []
    page(tmp_path, "p.html", link.replace("%3C5", "4"))  # edited after the gate
    assert kinds(check_published(tmp_path)) == {
        ("p.html", "altered_table"),
        ("p.html", "small_count"),
    }
    planted = '<a download="x.csv" href="data:text/csv;charset=utf-8,Kelurahan%2CPekerja%0ASewu%2C3">x</a>'
    page(tmp_path, "p.html", planted)
    assert kinds(check_published(tmp_path)) == {
        ("p.html", "unmarked_download"),
        ("p.html", "small_count"),
    }
    b64 = "data:text/csv;base64,S2VsdXJhaGFuLFBla2VyamEKU2V3dSwzCg=="  # the same file in base64
    page(tmp_path, "p.html", f'<a download="x.csv" href="{b64}">x</a>')
    assert ("p.html", "small_count") in kinds(check_published(tmp_path))


def test_an_analyst_table_never_passes_as_published(tmp_path):
    page(tmp_path, "p.html", analyst_table(FRAME.assign(Pekerja=["120", "3"])).data)
    assert kinds(check_published(tmp_path)) == {
        ("p.html", "unmarked_table"),
        ("p.html", "small_count"),
    }


def test_files_a_report_never_holds_are_listed(tmp_path):
    (tmp_path / "03_awareness_gaps.ipynb").write_text("{}")
    (tmp_path / "run.log").write_text("ok")
    assert kinds(check_published(tmp_path)) == {
        ("03_awareness_gaps.ipynb", "unlisted_file"),
        ("run.log", "unlisted_file"),
    }
