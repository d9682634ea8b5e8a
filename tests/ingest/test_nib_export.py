"""A month whose headers the readers have not seen: an extract shaped like a NIB export (the
registry keyed by NIB, worker counts split by sex, KBLI codes instead of sector words, 'Kelurahan
Usaha', 'Skala Usaha', rosters keyed by NIB, a survey with 'Desa/Kelurahan') is cleaned and
reported with nothing but the mapping `python -m analysis inspect` prints, saved as is.

The extract is the demo month rewritten in that shape, so the cleaning must conclude exactly what
it concludes for the demo month itself: the same rows kept, quarantined (by rule) and dropped, the
same coverage per kelurahan, the same sector and size class for every business."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.demo import generate
from analysis.ingest.classify import sector_of
from analysis.ingest.parse import parse_int
from analysis.ingest.read import read_raw
from analysis.pipeline import clean_period
from analysis.report.publish import publish_report

from conftest import PERIOD

#: A KBLI 2020 code for each sector (its golongan pokok maps to that sector in kbli2020.csv).
CODE = {
    "kuliner": "56101",
    "perdagangan": "47111",
    "fesyen": "13134",
    "jasa": "96012",
    "kerajinan": "16291",
    "industri": "10792",
    "transportasi": "49424",
    "lainnya": "82191",
    "tidak_diketahui": "",
}
UMKM_HEADERS = {
    "nib": "NIB",
    "nama_usaha": "Nama Usaha",
    "nama_pemilik": "Nama Pelaku Usaha",
    "nik_pemilik": "NIK Pelaku Usaha",
    "alamat": "Alamat Usaha",
    "kelurahan": "Kelurahan Usaha",
    "kecamatan": "Kecamatan Usaha",
    "kbli": "KBLI",
    "skala_usaha": "Skala Usaha",
    "laki": "Jumlah Tenaga Kerja Laki-laki",
    "perempuan": "Jumlah Tenaga Kerja Perempuan",
    "omzet_tahunan": "Omzet Per Tahun",
    "tanggal_daftar": "Tanggal Terbit NIB",
}
ROSTER_HEADERS = {
    "nib": "NIB",
    "nik": "NIK",
    "nama": "Nama",
    "jenis_kelamin": "Jenis Kelamin",
    "tanggal_lahir": "Tanggal Lahir",
    "penghasilan_bulanan": "Gaji",
}


def _by_sex(count: str) -> tuple[str, str]:
    """A declared count split into men and women ('5 orang' → '2', '3'); what cannot be read
    stays in the first column, so the cleaning refuses it just as before."""
    n = parse_int(count)
    return (count, "") if n is None else (str(n // 2), str(n - n // 2))


def nib_export(demo: Path, out: Path, stated: dict[str, str]) -> None:
    """Rewrite a demo month's raw files in the shape of a NIB export, row for row."""
    umkm = read_raw("umkm", next(demo.glob("umkm.*"))).frame
    nib_of = dict(zip(umkm["id_umkm"].str.upper(), umkm["nib"], strict=False))
    split = umkm["jumlah_tenaga_kerja"].map(_by_sex)
    size = umkm["id_umkm"].str.upper().map(stated).fillna("")
    # turnover left out for one business in five that occurs once (repeated rows stay as they were)
    once = umkm["id_umkm"].map(umkm["id_umkm"].value_counts()).eq(1)
    no_sales = umkm["nib"].str[-1].isin(["0", "5"]) & size.ne("") & once
    registry = pd.DataFrame(
        {
            **{c: umkm[c] for c in UMKM_HEADERS if c in umkm},
            "kbli": sector_of(umkm["sektor"]).map(CODE),
            "skala_usaha": size.str.title(),
            "laki": split.str[0],
            "perempuan": split.str[1],
            "omzet_tahunan": umkm["omzet_tahunan"].where(~no_sales, ""),
        }
    )[list(UMKM_HEADERS)].rename(columns=UMKM_HEADERS)
    out.mkdir(parents=True)
    registry.to_csv(out / "umkm.csv", sep=";", index=False)
    roster = read_raw("tenaga_kerja", demo / "tenaga_kerja.csv").frame
    ids = roster["id_umkm"].str.upper()
    roster["nib"] = ids.map(nib_of).fillna("9" + ids.str.replace(r"\D", "", regex=True))
    roster = roster[list(ROSTER_HEADERS)].rename(columns=ROSTER_HEADERS)
    roster.to_csv(out / "tenaga_kerja.csv", sep=";", index=False)
    shutil.copy(demo / "peserta_bpjstk.csv", out / "peserta_bpjstk.csv")
    survey = (demo / "survei_kesadaran.csv").read_text(encoding="utf-8")
    head, rest = survey.split("\n", 1)
    (out / "survei_kesadaran.csv").write_text(
        head.replace("Kelurahan", "Desa/Kelurahan") + "\n" + rest, encoding="utf-8"
    )


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """The demo month cleaned as it is, and the same month as a NIB export (not yet mapped)."""
    base = tmp_path_factory.mktemp("nib")
    demo = base / "demo"
    generate(PERIOD, demo, seed=11, businesses=300)
    reference = clean_period(PERIOD, demo)
    stated = reference.tables["businesses"].set_index("id_umkm")["kelas_usaha"]
    stated = stated[stated.ne("tidak_diketahui")].to_dict()
    nib = base / "nib"
    nib_export(demo / "raw" / PERIOD, nib / "raw" / PERIOD, stated)
    return reference, nib


def inspect(data: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["inspect", "--period", PERIOD, "--data-dir", str(data)]) == 0
    return capsys.readouterr()


def test_without_a_mapping_the_run_stops_and_points_to_inspect(months):
    _, nib = months
    with pytest.raises(
        Exception,
        match=r"required column id_umkm, kelurahan, jumlah_tenaga_kerja is missing.*inspect --period",
    ):
        clean_period(PERIOD, nib)


def test_inspect_lists_the_headers_and_proposes_the_mapping(months, capsys):
    _, nib = months
    out = inspect(nib, capsys)
    assert "Kelurahan Usaha" in out.err and "required, missing: id_umkm" in out.err
    assert "KBLI                           → kbli" in out.err or "→ kbli" in out.err
    toml = out.out
    assert 'id_umkm = "NIB"' in toml and 'kelurahan = "Kelurahan Usaha"' in toml
    assert (
        'jumlah_tenaga_kerja = ["Jumlah Tenaga Kerja Laki-laki", "Jumlah Tenaga Kerja Perempuan"]'
        in toml
    )
    assert "[tenaga_kerja]" in toml and toml.count('id_umkm = "NIB"') == 2


@pytest.mark.slow
def test_a_nib_export_is_cleaned_and_reported_with_the_printed_mapping(months, capsys, tmp_path):
    reference, nib = months
    mapping = nib / "raw" / PERIOD / "headers.toml"
    mapping.write_text(inspect(nib, capsys).out, encoding="utf-8")  # saved as printed
    result = clean_period(PERIOD, nib)

    for stem in ("umkm", "tenaga_kerja", "peserta_bpjstk", "survei_kesadaran"):
        keys = (
            "rows_in",
            "rows_clean",
            "rows_quarantined",
            "rows_duplicate",
            "quarantined_by_rule",
        )
        assert {k: result.quality[stem][k] for k in keys} == {
            k: reference.quality[stem][k] for k in keys
        }, stem
    assert result.quality["umkm"]["columns_by_mapping"] == [
        "id_umkm",
        "jumlah_tenaga_kerja",
        "kecamatan",
        "kelurahan",
    ]
    assert result.quality["umkm"]["size_class_from_stated"] > 0
    counts = ["businesses", "workers", "registered", "active", "effective"]
    pd.testing.assert_frame_equal(
        result.tables["coverage_kelurahan"][["kode_kelurahan", *counts]],
        reference.tables["coverage_kelurahan"][["kode_kelurahan", *counts]],
    )
    ours = result.tables["businesses"].set_index("nib")[["sektor", "kelas_usaha", "workers"]]
    theirs = reference.tables["businesses"].set_index("nib")[["sektor", "kelas_usaha", "workers"]]
    pd.testing.assert_frame_equal(ours.sort_index(), theirs.sort_index())
    assert result.tables["businesses"]["kbli"].notna().any()

    index = publish_report(PERIOD, data_dir=nib, reports_dir=tmp_path / "reports")
    pages = {p.name for p in index.parent.iterdir()}
    assert {"index.html", "02_coverage_map.html", "03_awareness_gaps.html"} <= pages
    for page in index.parent.glob("*.html"):
        assert "Kelurahan Usaha" not in page.read_text(encoding="utf-8")  # no raw header published
