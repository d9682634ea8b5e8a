"""The demo outreach campaign: the existing demo files stay byte-identical, the log and the planted
registrations are cleaned as planted, and the outreach analysis recovers the planted effect within
its interval — and about zero when nothing is planted."""

import re

import pandas as pd
import pytest

from analysis.demo import generate, load_truth
from analysis.demo.outreach import (
    DEFAULT_EFFECT,
    FIRST_VISITS_PER_MONTH,
    REFERENCE_ATTENDEES,
    campaign,
    planted,
)
from analysis.ingest.demo_hashes import DEMO_MONTHS
from analysis.metrics import outreach
from analysis.month import Month
from analysis.paths import DEMO_DIR, ROOT, sha256_file
from analysis.reference import units

from conftest import OUTREACH_MONTHS, PERIOD, outreach_months

#: The default demo month (seed 2019, 3,000 businesses), as the code ships its hashes: the
#: campaign must not change a byte of it.
DEMO_SHA256 = DEMO_MONTHS[PERIOD]


def test_the_default_demo_files_are_unchanged(demo_dir):
    raw = demo_dir / "raw" / PERIOD
    assert {n: sha256_file(raw / n) for n in DEMO_SHA256} == DEMO_SHA256
    assert not list(raw.glob("sosialisasi.*"))


def test_the_outreach_option_adds_a_log_and_only_appends_participant_records(demo_dir, tmp_path):
    base = demo_dir / "raw" / PERIOD
    raw = generate(PERIOD, tmp_path / "effect", outreach=DEFAULT_EFFECT)
    for name in ("umkm.xlsx", "tenaga_kerja.csv", "survei_kesadaran.csv"):
        assert sha256_file(raw / name) == DEMO_SHA256[name], name
    before = (base / "peserta_bpjstk.csv").read_bytes()
    after = (raw / "peserta_bpjstk.csv").read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    assert (raw / "sosialisasi.csv").exists() and (raw / DEMO_DIR / "outreach.parquet").exists()
    none = generate(PERIOD, tmp_path / "null", outreach=0.0)
    assert sha256_file(none / "peserta_bpjstk.csv") == DEMO_SHA256["peserta_bpjstk.csv"]
    assert (none / "sosialisasi.csv").exists()


def test_the_campaign_is_the_same_whichever_month_is_generated():
    u = units("surakarta")
    log = campaign(2019, u)
    assert log.equals(campaign(2019, u))
    firsts = log[log["first"]]
    assert firsts["kode_kelurahan"].is_unique
    assert (
        firsts.groupby(firsts["tanggal"].dt.strftime("%Y-%m")).size() == FIRST_VISITS_PER_MONTH
    ).all()
    seconds = log[~log["first"]]
    first_day = firsts.set_index("kode_kelurahan")["tanggal"]
    assert (
        seconds["tanggal"].to_numpy() > first_day.reindex(seconds["kode_kelurahan"]).to_numpy()
    ).all()
    effects = planted(2019, log, PERIOD, 2.0)
    early = planted(2019, log, "2026-09", 2.0)
    same = effects.merge(early, on=["kode_kelurahan", "bulan"], suffixes=("", "_early"))
    assert len(same) == len(early) and (same["planted"] == same["planted_early"]).all()
    assert effects["expected"].to_numpy() == pytest.approx(
        2.0 * effects["peserta"].to_numpy() / REFERENCE_ATTENDEES
    )


def test_make_data_plants_the_default_effect():
    makefile = (ROOT / "Makefile").read_text()
    assert float(re.search(r"^DEMO_OUTREACH := ([\d.]+)$", makefile, re.M)[1]) == DEFAULT_EFFECT
    assert "--outreach-effect $(DEMO_OUTREACH)" in makefile


# ------------------------------------------------------------------ cleaned, and the effect


@pytest.mark.slow
@pytest.mark.parametrize("period", OUTREACH_MONTHS)
def test_the_cleaning_recovers_the_log_and_the_planted_registrations(outreach_dir, period):
    truth = load_truth(outreach_dir / "raw" / period)
    month = Month.load(period, outreach_dir)
    t = truth[truth["file"] == "sosialisasi"].set_index("source_row")
    q = month.table("quarantine")
    got = q[q["source_file"].eq("sosialisasi.csv")].set_index("source_row")["rule"]
    assert got.to_dict() == t.loc[~t["expected"].isin(["clean", "duplicate"]), "expected"].to_dict()
    log = month.table("outreach")
    assert sorted(log["kode_kelurahan"]) == sorted(
        t.loc[t["expected"].eq("clean"), "kode_kelurahan"]
    )
    w = truth[(truth["file"] == "tenaga_kerja") & (truth["expected"] == "clean")].set_index("key")
    workers = month.table("workers").set_index("nik_hash")
    for col in ("registered", "effective"):  # the planted registrations included
        assert (workers.loc[w.index, col] == w[col].astype(bool)).all(), col
    effects = pd.read_parquet(outreach_dir / "raw" / period / DEMO_DIR / "outreach.parquet")
    now = effects[effects["bulan"].eq(period)].groupby("kode_kelurahan")["planted"].sum()
    fresh = outreach.month_outcomes(month, period).set_index("kode_kelurahan")["new"]
    assert (fresh.reindex(now.index) >= now).all()  # at least the planted ones are new this month


def planted_effect(data) -> tuple[float, float]:
    """The planted effect over the kelurahan-months the estimator uses (first visit after the first
    month of data): the realised mean and the expected mean."""
    effects = pd.read_parquet(data / "raw" / PERIOD / DEMO_DIR / "outreach.parquet")
    used = effects[effects["first_visit"] > OUTREACH_MONTHS[0]]
    return float(used["planted"].mean()), float(used["expected"].mean())


@pytest.mark.slow
def test_the_planted_effect_is_recovered_within_its_interval(outreach_dir):
    r = outreach.results(Month.load(PERIOD, outreach_dir))
    est = r.main.estimate
    realised, expected = planted_effect(outreach_dir)
    assert expected == pytest.approx(DEFAULT_EFFECT * 1.0, rel=0.35)
    assert est.lo <= realised <= est.hi and est.lo <= expected <= est.hi
    assert est.lo > 0 and r.main.placebo_p < 0.05 and r.enough
    assert r.effects["effective_rate"].estimate.lo > 0  # the new members are covered too
    before = r.main.event[r.main.event["event"] < 0]
    assert ((before["lo"] <= 0) & (before["hi"] >= 0)).all()  # parallel before the visits
    assert r.dose is not None and r.dose.more.value > r.dose.fewer.value  # planted ∝ attendees


@pytest.mark.slow
def test_no_planted_effect_gives_about_zero(tmp_path_factory):
    data = outreach_months(tmp_path_factory.mktemp("null") / "data", 0.0)
    r = outreach.results(Month.load(PERIOD, data))
    est = r.main.estimate
    assert planted_effect(data) == (0.0, 0.0)
    assert est.lo <= 0 <= est.hi and abs(est.value) < 0.3
    assert r.main.placebo_p > 0.05


@pytest.mark.slow
def test_a_regions_log_names_kecamatan_and_kabkota_and_is_cleaned_as_planted(tmp_path):
    """Soloraya's desa names repeat, so its log gives every activity's kecamatan and kab/kota;
    the cleaning places each one as planted, and a kabupaten's page sees only its own visits."""
    from analysis.demo.dirt import KABKOTA_COLUMN
    from analysis.pipeline import clean_period

    data = tmp_path / "data"
    raw = generate(PERIOD, data, businesses=600, region="soloraya", outreach=DEFAULT_EFFECT)
    text = pd.read_csv(raw / "sosialisasi.csv", sep=";", dtype=str, keep_default_na=False)
    assert (text["Kecamatan"] != "").all() and (text[KABKOTA_COLUMN] != "").all()
    clean_period(PERIOD, data, region="soloraya")
    truth = load_truth(raw)
    t = truth[truth["file"] == "sosialisasi"].set_index("source_row")
    month = Month.load(PERIOD, data, region="soloraya")
    q = month.table("quarantine")
    got = q[q["source_file"].eq("sosialisasi.csv")].set_index("source_row")["rule"]
    assert got.to_dict() == t.loc[~t["expected"].isin(["clean", "duplicate"]), "expected"].to_dict()
    assert set(got) == {"outside_region"}
    log = month.table("outreach")
    clean = t.loc[t["expected"].eq("clean"), "kode_kelurahan"]
    assert sorted(log["kode_kelurahan"]) == sorted(clean) and len(clean) >= FIRST_VISITS_PER_MONTH
    klaten = month.within("klaten")
    mine = sorted(c for c in clean if c.startswith("33.10"))
    assert sorted(outreach.activities(klaten)["kode_kelurahan"]) == mine  # its page's log
    visited = outreach.visits(outreach.activities(klaten), klaten.units)
    assert sorted(visited.loc[visited["activities"] > 0, "kode_kelurahan"]) == sorted(set(mine))
