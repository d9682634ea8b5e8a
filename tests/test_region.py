"""Region generality: a kabupaten from the Soloraya reference data, chosen by a parameter, is
cleaned and counted over its own desa/kelurahan (not Surakarta's 54), in its own folders."""

from analysis.__main__ import main
from analysis.reference import units
from analysis.store import load_processed

from conftest import PERIOD, write


def _nik(kabkota: str, serial: int) -> str:
    return f"{kabkota}01" + "010190" + f"{serial:04d}"


def test_a_kabupaten_is_cleaned_over_its_own_desa(tmp_path, capsys):
    u = units("sukoharjo")
    once = u[~u["kelurahan"].duplicated(keep=False)].iloc[[0, 5]]
    a, b = once.itertuples()
    raw = tmp_path / "raw" / "sukoharjo" / PERIOD  # a region other than the default: its own level
    write(
        raw / "umkm.csv",
        "id_umkm;kelurahan;kecamatan;jumlah_tenaga_kerja\n"
        f"U1;Desa {a.kelurahan};{a.kecamatan};3\n"
        f"U2;{b.kelurahan.upper()};;2\n"
        "U3;Jebres;Jebres;4\n",  # a Surakarta kelurahan: outside this region
    )
    write(
        raw / "tenaga_kerja.csv",
        "id_umkm;nik\n"
        f"U1;{_nik('3311', 1)}\nU1;{_nik('3372', 2)}\nU2;{_nik('3311', 3)}\nU3;{_nik('3311', 4)}\n",
    )
    write(
        raw / "peserta_bpjstk.csv",
        "nik,status,iuran_terakhir\n"
        f"{_nik('3311', 1)},AKTIF,{PERIOD}\n{_nik('3311', 3)},NONAKTIF,2026-01\n",
    )
    assert (
        main(["clean", "--period", PERIOD, "--data-dir", str(tmp_path), "--region", "sukoharjo"])
        == 0
    )
    assert not (tmp_path / "processed" / PERIOD).exists()
    d = load_processed(PERIOD, tmp_path, region="sukoharjo")
    cov = d["coverage_kelurahan"]
    assert len(cov) == len(u) != 54 and cov["kode_kelurahan"].str.startswith("33.11.").all()
    got = d["businesses"].set_index("id_umkm")["kode_kelurahan"].to_dict()
    assert got == {"U1": a.kode_kelurahan, "U2": b.kode_kelurahan}
    q = d["quarantine"].set_index(["source_file", "source_row"])["rule"].to_dict()
    assert q[("umkm.csv", 3)] == "outside_region"
    assert q[("tenaga_kerja.csv", 4)] == "business_quarantined"
    by = cov.set_index("kode_kelurahan")
    assert by.loc[
        a.kode_kelurahan, ["businesses", "workers", "roster_workers", "registered", "effective"]
    ].tolist() == [1, 3, 2, 1, 1]
    assert by.loc[b.kode_kelurahan, ["registered", "active", "effective"]].tolist() == [1, 0, 0]
    assert (
        cov.drop(index=cov.index[cov["kode_kelurahan"].isin([a.kode_kelurahan, b.kode_kelurahan])])[
            "businesses"
        ]
        .eq(0)
        .all()
    )
    assert d["quality"]["region"] == "sukoharjo"
    # a NIK first registered in Kota Surakarta is outside Kabupaten Sukoharjo; 3311… is inside
    assert d["quality"]["tenaga_kerja"]["nik_registered_outside_region"] == 1


def test_an_unknown_region_is_one_sentence(tmp_path, capsys):
    write(tmp_path / "raw" / PERIOD / "umkm.csv", "id_umkm;kelurahan;jumlah_tenaga_kerja\nU1;X;1\n")
    write(tmp_path / "raw" / PERIOD / "tenaga_kerja.csv", "id_umkm;nik\n")
    write(tmp_path / "raw" / PERIOD / "peserta_bpjstk.csv", "nik,status,iuran_terakhir\n")
    assert (
        main(["clean", "--period", PERIOD, "--data-dir", str(tmp_path), "--region", "atlantis"])
        == 2
    )
    err = capsys.readouterr().err
    assert "atlantis" in err and "regions.csv" in err and "Traceback" not in err
