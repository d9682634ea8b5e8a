"""Writing demo data: the same seed gives the same bytes, and chunked generation (large
populations) keeps a truth the cleaning recovers."""

from analysis.demo import generate, load_truth
from analysis.demo import write as demo_write
from analysis.ingest.demo_hashes import DEMO_MONTHS
from analysis.ingest.pseudonyms import extract_hashes
from analysis.pipeline import clean_period

from conftest import PERIOD


def test_demo_generation_is_deterministic(tmp_path):
    a = generate(PERIOD, tmp_path / "a", seed=7, businesses=300)
    b = generate(PERIOD, tmp_path / "b", seed=7, businesses=300)
    for f in ("umkm.xlsx", "tenaga_kerja.csv", "peserta_bpjstk.csv", "survei_kesadaran.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    c = generate(PERIOD, tmp_path / "c", seed=8, businesses=300)
    assert (a / "tenaga_kerja.csv").read_bytes() != (c / "tenaga_kerja.csv").read_bytes()


def test_chunked_demo_generation_keeps_its_truth(tmp_path, monkeypatch):
    """Large populations are generated chunk by chunk; the cleaning still recovers the truth."""
    monkeypatch.setattr(demo_write, "CHUNK_BUSINESSES", 700)
    data = tmp_path / "data"
    generate(PERIOD, data, businesses=1_500)
    raw = data / "raw" / PERIOD
    # demo data of this size is not a shipped demo month: vouch for it here, as if it were
    monkeypatch.setitem(DEMO_MONTHS, "chunked", extract_hashes(raw))
    assert (raw / "umkm.csv").exists()  # several chunks: CSV, appended
    truth = load_truth(raw)
    result = clean_period(PERIOD, data, partition_rows=2_000)
    q = result.tables["quarantine"]
    for stem in ("umkm", "tenaga_kerja", "peserta_bpjstk", "survei_kesadaran"):
        t = truth[truth["file"] == stem].set_index("source_row")
        assert t.index.is_unique
        got = q[q["source_file"].str.startswith(stem + ".")].set_index("source_row")["rule"]
        expected = t.loc[~t["expected"].isin(["clean", "duplicate"]), "expected"]
        assert got.sort_index().to_dict() == expected.sort_index().to_dict(), stem
        assert result.quality[stem]["rows_duplicate"] == (t["expected"] == "duplicate").sum()
    w = truth[(truth["file"] == "tenaga_kerja") & (truth["expected"] == "clean")].set_index("key")
    got = result.tables["workers"].set_index("nik_hash")
    assert set(got.index) == set(w.index)
    for col in ("registered", "active", "effective"):
        assert (got[col].reindex(w.index) == w[col].astype(bool)).all(), col
