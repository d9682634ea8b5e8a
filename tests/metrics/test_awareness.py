"""Awareness metrics against independent calculations: hand-computed survey estimates, plain
proportions and intervals (statsmodels) when every weight is 1, suppression, funnel, reasons,
the kelurahan table and the priority list."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.metrics import awareness as aw
from analysis.metrics.universe import Universe
from analysis.month import Month
from analysis.pages import awareness_page as awp
from analysis.paths import Paths
from analysis.reference import UNKNOWN

Z = stats.norm.ppf(0.975)


def survey(**cols) -> pd.DataFrame:
    """A survey frame with the cleaned columns; defaults for what a test does not set."""
    n = len(next(iter(cols.values())))
    base = {
        "id_responden": [f"R{i}" for i in range(n)],
        "kode_kelurahan": ["33.72.01.1001"] * n,
        "kode_kecamatan": ["33.72.01"] * n,
        "sektor": ["kuliner"] * n,
        "peran": ["pekerja"] * n,
        "tahu_bpjs_kesehatan": [True] * n,
        "tahu_bpjs_tk": [False] * n,
        "tahu_manfaat": [False] * n,
        "terdaftar": pd.array([False] * n, dtype="boolean"),
        "alasan": [UNKNOWN] * n,
        "bobot": [1.0] * n,
    }
    base.update(cols)
    frame = pd.DataFrame(base)
    frame["terdaftar"] = frame["terdaftar"].astype("boolean")
    return frame


def wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927), for checking."""
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


def taylor_variance(y, w, strata, inside=None) -> tuple[float, float]:
    """Stratified with-replacement linearisation variance of a (domain) weighted mean, by hand."""
    y, w, strata = np.asarray(y, float), np.asarray(w, float), np.asarray(strata)
    d = np.ones(len(y)) if inside is None else np.asarray(inside, float)
    p = (w * d * y).sum() / (w * d).sum()
    z = w * d * (y - p) / (w * d).sum()
    v = 0.0
    for h in np.unique(strata):
        zh = z[strata == h]
        v += len(zh) / (len(zh) - 1) * ((zh - zh.mean()) ** 2).sum()
    return p, v


# ------------------------------------------------------------------ hand-computed cases

# Two kecamatan: A with 3 respondents of weight 10, B with 4 of weight 20.
HAND = survey(
    kode_kecamatan=["A", "A", "A", "B", "B", "B", "B"],
    kode_kelurahan=["a1", "a1", "a2", "b1", "b2", "b1", "b1"],
    tahu_bpjs_tk=[True, False, False, True, True, False, False],
    tahu_bpjs_kesehatan=[True, True, False, True, True, True, False],
    bobot=[10.0, 10, 10, 20, 20, 20, 20],
)


def test_weighted_share_and_interval_match_a_hand_computed_case():
    out = aw.shares(HAND, ["tahu_bpjs_tk"], min_n=1).iloc[0]
    # share = (10·1 + 20·2) / (3·10 + 4·20) = 50/110
    assert out["share"] == pytest.approx(50 / 110)
    assert out["respondents"] == 7 and out["weight"] == pytest.approx(110)
    p, v = taylor_variance(HAND["tahu_bpjs_tk"], HAND["bobot"], HAND["kode_kecamatan"])
    assert v == pytest.approx(0.05234159779614324)  # worked out once by hand, kept as a literal
    assert out["se"] == pytest.approx(math.sqrt(v))
    deff = v / (p * (1 - p) / (7 - 1))  # against SRS with replacement of the same 7 people
    assert deff == pytest.approx(1.2666666666666666)
    assert out["deff"] == pytest.approx(deff)
    assert out["n_eff"] == pytest.approx(7 / deff)
    lo, hi = wilson(p, 7 / deff)
    assert (out["lo"], out["hi"]) == (pytest.approx(lo), pytest.approx(hi))


def test_domain_share_uses_the_whole_design():
    data = HAND.assign(
        peran=["pemilik", "pemilik", "pekerja", "pemilik", "pekerja", "pemilik", "pemilik"]
    )
    out = aw.shares(data, ["tahu_bpjs_tk"], by="peran", min_n=1).set_index("group")
    inside = data["peran"].eq("pemilik")
    p, v = taylor_variance(data["tahu_bpjs_tk"], data["bobot"], data["kode_kecamatan"], inside)
    assert p == pytest.approx(0.375)  # (10 + 20) / (2·10 + 3·20)
    row = out.loc["pemilik"]
    assert row["share"] == pytest.approx(p) and row["se"] == pytest.approx(math.sqrt(v))
    deff = v / (p * (1 - p) / (5 - 1))
    lo, hi = wilson(p, min(5, 5 / deff))
    assert (row["lo"], row["hi"]) == (pytest.approx(lo), pytest.approx(hi))


def test_gap_is_the_mean_difference_with_its_design_interval():
    g = aw.gap(HAND, min_n=1).iloc[0]
    diff = HAND["tahu_bpjs_kesehatan"].astype(float) - HAND["tahu_bpjs_tk"].astype(float)
    est, v = taylor_variance(diff, HAND["bobot"], HAND["kode_kecamatan"])
    assert est == pytest.approx((80 - 50) / 110)  # kesehatan 80/110, ketenagakerjaan 50/110
    assert g["aware_gap"] == pytest.approx(est)
    assert g["aware_kesehatan"] - g["aware_tk"] == pytest.approx(est)
    half = stats.t.ppf(0.975, 7 - 2) * math.sqrt(v)  # df = respondents − strata
    assert g["aware_gap_lo"] == pytest.approx(max(-1, est - half))
    assert g["aware_gap_hi"] == pytest.approx(min(1, est + half))


def test_share_of_zero_uses_kish_effective_size_not_a_zero_width_interval():
    data = survey(tahu_bpjs_tk=[False] * 4, bobot=[1.0, 1.0, 2.0, 4.0])
    out = aw.shares(data, ["tahu_bpjs_tk"], min_n=1).iloc[0]
    n_kish = 8.0**2 / (1 + 1 + 4 + 16)
    assert out["share"] == 0 and out["n_eff"] == pytest.approx(n_kish)
    assert out["lo"] == pytest.approx(0, abs=1e-12)
    assert out["hi"] == pytest.approx(Z**2 / (n_kish + Z**2))  # Wilson's upper bound at p = 0


# ------------------------------------------------------------------ all weights 1 = plain


def random_survey(n: int, seed: int, strata: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kel = rng.choice([f"k{i}" for i in range(6)], n)
    return survey(
        kode_kelurahan=kel,
        kode_kecamatan=([f"s{int(k[1]) % strata}" for k in kel] if strata > 1 else ["s0"] * n),
        peran=rng.choice(["pemilik", "pekerja"], n),
        tahu_bpjs_tk=rng.random(n) < 0.3,
        tahu_bpjs_kesehatan=rng.random(n) < 0.85,
        bobot=np.ones(n),
    )


@pytest.mark.parametrize("by", [None, "peran", "kode_kelurahan"])
def test_unit_weights_reproduce_plain_proportions_and_wilson_intervals(by):
    from statsmodels.stats.proportion import proportion_confint

    data = random_survey(150, seed=3)
    out = aw.shares(data, ["tahu_bpjs_tk"], by=by, min_n=1)
    groups = data.groupby(data[by] if by else np.zeros(len(data)))["tahu_bpjs_tk"]
    plain = pd.DataFrame({"count": groups.sum(), "n": groups.size()})
    for row, (_, g) in zip(out.itertuples(), plain.iterrows(), strict=True):
        lo, hi = proportion_confint(g["count"], g["n"], alpha=0.05, method="wilson")
        assert row.share == pytest.approx(g["count"] / g["n"], rel=1e-12)
        assert (row.lo, row.hi) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
        assert row.respondents == g["n"]


def test_an_interval_always_holds_its_share():
    """Nobody of ten weighted respondents: Wilson's lower bound is 0 (statsmodels gives 3e-17,
    which broke the funnel chart's error bars in a small month)."""
    weights = np.random.default_rng(0).uniform(0.5, 3, 10).round(2)  # a fractional n_eff
    data = random_survey(10, seed=1).assign(tahu_bpjs_tk=False, bobot=weights)
    row = aw.shares(data, ["tahu_bpjs_tk"], min_n=1).iloc[0]
    assert row.share == 0 and row.lo == 0 and row.lo <= row.share <= row.hi


def test_unit_weights_in_strata_still_give_plain_kelurahan_intervals():
    from statsmodels.stats.proportion import proportion_confint

    data = random_survey(200, seed=5, strata=3)  # every kelurahan lies in one kecamatan
    out = aw.shares(data, ["tahu_bpjs_tk"], by="kode_kelurahan", min_n=1).set_index("group")
    for kel, g in data.groupby("kode_kelurahan")["tahu_bpjs_tk"]:
        lo, hi = proportion_confint(g.sum(), len(g), method="wilson")
        assert out.loc[kel, "share"] == pytest.approx(g.mean())
        assert out.loc[kel, "lo"] == pytest.approx(lo) and out.loc[kel, "hi"] == pytest.approx(hi)


def test_unit_weights_gap_is_the_plain_paired_t_interval():
    from statsmodels.stats.weightstats import DescrStatsW

    data = random_survey(120, seed=8)
    d = data["tahu_bpjs_kesehatan"].astype(float) - data["tahu_bpjs_tk"].astype(float)
    g = aw.gap(data, min_n=1).iloc[0]
    lo, hi = DescrStatsW(d.to_numpy()).tconfint_mean()
    assert g["aware_gap"] == pytest.approx(d.mean())
    assert (g["aware_gap_lo"], g["aware_gap_hi"]) == (pytest.approx(lo), pytest.approx(hi))


# ------------------------------------------------------------------ small cells, missing answers


def test_cells_below_min_n_are_suppressed_not_zero():
    data = survey(
        peran=["pemilik"] * 3 + ["pekerja"] * 12,
        tahu_bpjs_tk=[False] * 3 + [False] * 12,
    )
    out = aw.shares(data, ["tahu_bpjs_tk"], by="peran", min_n=10).set_index("group")
    assert out.loc["pemilik", "suppressed"] and pd.isna(out.loc["pemilik", "share"])
    assert pd.isna(out.loc["pemilik", "lo"]) and pd.isna(out.loc["pemilik", "hi"])
    assert not out.loc["pekerja", "suppressed"] and out.loc["pekerja", "share"] == 0.0
    assert out.loc["pekerja", "hi"] > 0
    assert out.loc["pemilik", "respondents"] == 3


def test_unanswered_enrolment_leaves_the_cell_not_the_design():
    data = survey(
        terdaftar=pd.array([True, False, None, None, True, False], dtype="boolean"),
        kode_kecamatan=["A", "A", "A", "B", "B", "B"],
    )
    out = aw.shares(data, ["terdaftar"], min_n=1).iloc[0]
    assert out["respondents"] == 4 and out["share"] == pytest.approx(0.5)


def test_a_kecamatan_with_one_respondent_does_not_stop_the_estimate():
    data = random_survey(40, seed=1)
    data.loc[0, "kode_kecamatan"] = "lonely"
    out = aw.shares(data, ["tahu_bpjs_tk"], min_n=1).iloc[0]
    assert np.isfinite(out["lo"]) and np.isfinite(out["hi"])


def test_an_empty_survey_gives_empty_results():
    empty = survey(tahu_bpjs_tk=[]).iloc[0:0]
    assert aw.shares(empty, ["tahu_bpjs_tk"]).empty
    assert aw.gap(empty).empty and aw.funnel(empty).empty and aw.reasons(empty).empty


# ------------------------------------------------------------------ funnel and reasons


def test_funnel_stages_are_nested_plain_shares_with_unit_weights():
    aware = [True, True, True, True, False, False, True, False, True, False]
    knows = [True, True, False, True, False, False, True, False, False, False]
    enrolled = [True, False, False, True, False, True, None, False, False, False]
    data = survey(
        tahu_bpjs_tk=aware,
        tahu_manfaat=knows,
        terdaftar=pd.array(enrolled, dtype="boolean"),
    )
    f = aw.funnel(data, min_n=1).set_index("stage")
    assert f.loc["aware", "share"] == pytest.approx(6 / 10)
    assert f.loc["knows_benefit", "share"] == pytest.approx(4 / 10)
    assert f.loc["knows_benefit", "of_previous"] == pytest.approx(4 / 6)
    # enrolled stage: aware & knows & enrolled; one "aware & knows" person did not answer
    assert f.loc["enrolled", "respondents"] == 9
    assert f.loc["enrolled", "share"] == pytest.approx(2 / 9)
    assert f.loc["enrolled", "of_previous"] == pytest.approx(2 / 3)
    assert list(f.index) == list(aw.STAGES)


def test_reasons_are_weighted_ranked_and_only_from_the_not_enrolled():
    data = survey(
        alasan=["mahal", "tidak_tahu", "tidak_tahu", "lainnya", "mahal", UNKNOWN, "prosedur"],
        terdaftar=pd.array([False, False, False, False, False, False, True], dtype="boolean"),
        bobot=[5.0, 1.0, 1.0, 9.0, 5.0, 3.0, 50.0],
    )
    r = aw.reasons(data, min_n=1)
    # among the not enrolled with a reason: weights mahal 10, tidak_tahu 2, lainnya 9 (of 21)
    assert list(r["alasan"]) == ["mahal", "tidak_tahu", "lainnya"]  # "other" always last
    assert r.set_index("alasan")["share"].to_dict() == pytest.approx(
        {"mahal": 10 / 21, "tidak_tahu": 2 / 21, "lainnya": 9 / 21}
    )
    assert (r["respondents"] == 5).all() and list(r["rank"]) == [1, 2, 3]
    assert r.loc[0, "label_en"] == "Contribution too expensive"


# ------------------------------------------------------------------ the kelurahan table


def test_kelurahan_table_has_every_kelurahan_and_is_empty_where_nobody_answered(cleaned):
    from analysis.reference import units

    survey_ = cleaned.tables["survey"]
    u = units()
    table = aw.awareness_kelurahan(survey_, u)
    assert len(table) == len(u) == 54 and table["kode_kelurahan"].is_unique
    for col in (
        "kode_kelurahan",
        "respondents",
        "weight",
        "aware_kesehatan",
        "aware_tk",
        "aware_gap",
    ):
        assert col in table
    n = survey_.groupby("kode_kelurahan").size()
    assert (
        table.set_index("kode_kelurahan")["respondents"].to_dict()
        == n.reindex(u["kode_kelurahan"], fill_value=0).to_dict()
    )
    nobody = table["respondents"].eq(0)
    assert table.loc[nobody, ["aware_kesehatan", "aware_tk", "aware_gap"]].isna().all().all()
    answered = table[~nobody]
    assert answered[["aware_kesehatan", "aware_tk", "aware_gap"]].notna().all().all()
    # weighted shares by hand for one kelurahan
    kel = answered.sort_values("respondents").iloc[-1]
    rows = survey_[survey_["kode_kelurahan"].eq(kel["kode_kelurahan"])]
    assert kel["weight"] == pytest.approx(rows["bobot"].sum())
    assert kel["aware_tk"] == pytest.approx(np.average(rows["tahu_bpjs_tk"], weights=rows["bobot"]))
    assert kel["aware_gap"] == pytest.approx(kel["aware_kesehatan"] - kel["aware_tk"])


def test_kelurahan_table_without_a_survey_keeps_all_rows_empty():
    units = pd.DataFrame(
        {
            "kode_kelurahan": ["k1", "k2"],
            "kelurahan": ["Satu", "Dua"],
            "kode_kecamatan": ["s", "s"],
            "kecamatan": ["Es", "Es"],
        }
    )
    table = aw.awareness_kelurahan(survey(tahu_bpjs_tk=[]).iloc[0:0], units)
    assert list(table["kode_kelurahan"]) == ["k1", "k2"]
    assert (table["respondents"] == 0).all() and table["aware_tk"].isna().all()


def one_kelurahan_month(folder, survey_rows: pd.DataFrame) -> Month:
    """A processed month of one kelurahan with the given survey (and no awareness table)."""
    folder.mkdir(parents=True)
    survey_rows.to_parquet(folder / "survey.parquet")
    m = Month("2026-10", Paths.of(folder.parent.parent), {"region": "surakarta"})
    m._memo["units"] = pd.DataFrame(
        {
            "kode_kelurahan": ["k1"],
            "kelurahan": ["Satu"],
            "kode_kecamatan": ["s"],
            "kecamatan": ["Es"],
        }
    )
    return m


def test_kelurahan_table_is_read_when_cleaning_wrote_it(tmp_path):
    m = one_kelurahan_month(tmp_path / "processed" / "2026-10", survey(tahu_bpjs_tk=[]).iloc[0:0])
    written = pd.DataFrame({"kode_kelurahan": ["k1"], "aware_tk": [0.5]})
    written.to_parquet(m.folder / aw.FILE_NAME)
    pd.testing.assert_frame_equal(aw.kelurahan(m), written)


# ------------------------------------------------------------------ priority


def priority_inputs():
    coverage = pd.DataFrame(
        {
            "kode_kelurahan": ["k1", "k2", "k3", "k4"],
            "kelurahan": ["Satu", "Dua", "Tiga", "Empat"],
            "kode_kecamatan": ["s", "s", "s", "t"],
            "kecamatan": ["Es", "Es", "Es", "Te"],
            "workers": [100, 300, 200, 500],
            "effective": [20, 100, 0, 10],
        }
    )
    awareness = pd.DataFrame(
        {
            "kode_kelurahan": ["k1", "k2", "k3", "k4"],
            "respondents": [12, 20, 3, 2],
            "aware_tk": [0.25, 0.50, 1.0, 0.0],
            "aware_tk_lo": [0.1, 0.3, 0.4, 0.0],
            "aware_tk_hi": [0.5, 0.7, 1.0, 0.8],
            "kecamatan_respondents": [35, 35, 35, 2],
            "aware_tk_kecamatan": [0.4, 0.4, 0.4, 0.0],
            "aware_tk_kecamatan_lo": [0.25, 0.25, 0.25, 0.0],
            "aware_tk_kecamatan_hi": [0.6, 0.6, 0.6, 0.8],
        }
    )
    return coverage, awareness


def test_priority_score_is_uncovered_times_unaware_with_kecamatan_fallback():
    p = aw.priority(*priority_inputs(), min_n=10).set_index("kode_kelurahan")
    assert p.loc["k1", "uncovered"] == 80 and p.loc["k1", "score"] == pytest.approx(80 * 0.75)
    assert p.loc["k2", "score"] == pytest.approx(200 * 0.5)
    # k3 has 3 respondents: its kecamatan's 40% is used, not its own 100%
    assert p.loc["k3", "basis"] == "kecamatan" and p.loc["k3", "aware_tk"] == pytest.approx(0.4)
    assert p.loc["k3", "score"] == pytest.approx(200 * 0.6)
    assert p.loc["k3", "score_lo"] == pytest.approx(200 * 0.4)  # from the interval's upper end
    # k4: neither it nor its kecamatan has enough answers: unknown, not ranked, last
    assert p.loc["k4", "basis"] == "unknown" and pd.isna(p.loc["k4", "score"])
    assert pd.isna(p.loc["k4", "rank"])
    ranked = aw.priority(*priority_inputs(), min_n=10)
    assert list(ranked["kode_kelurahan"]) == ["k3", "k2", "k1", "k4"]
    assert list(ranked["rank"].iloc[:3]) == [1, 2, 3]


def kelurahan_universe(coverage):
    """The coverage universe of a small kelurahan table: kelurahan ⊂ kecamatan ⊂ city."""
    t = coverage.assign(uncovered=coverage["workers"] - coverage["effective"])
    counts = ["workers", "effective", "uncovered"]
    u = Universe("coverage", 5, tuple(counts), ((("effective", "uncovered"), "workers"),))
    kec = t.groupby("kode_kecamatan", sort=False)[counts].sum().reset_index()
    u.add_rows("kelurahan", t, "kode_kelurahan").add_rows("kecamatan", kec, "kode_kecamatan")
    u.add_rows("city", t[counts].sum().to_frame().T.assign(city="all"), "city")
    u.nest("kelurahan", t, "kode_kelurahan", "kecamatan", "kode_kecamatan")
    return u.nest("kecamatan", kec, "kode_kecamatan", "city", None).protect()


def test_priority_table_shows_both_inputs_and_hides_small_counts():
    coverage, awareness = priority_inputs()
    coverage.loc[0, ["workers", "effective"]] = [23, 20]  # 3 uncovered: a small count
    u = kelurahan_universe(coverage)
    table = awp.priority_table(aw.priority(coverage, awareness, 10), u, "en", top=5)
    shown = table.shown()
    assert list(shown.columns) == [
        "Kelurahan (kecamatan)",
        "Workers not covered",
        "Know BPJS TK",
        "95% range",
        "Estimate from",
        "Score",
        "Score range",
    ]
    assert list(shown.iloc[:, 0]) == ["Tiga (Es)", "Dua (Es)", "Satu (Es)"]  # Empat: unknown
    satu = shown.iloc[2]
    assert satu["Workers not covered"] == "<5" and satu["Score"] == "x"  # the score would reveal it
    assert satu["Score range"] == "x"
    # the kecamatan total would give Satu's 3 away: one more cell of Es is hidden as well
    assert (shown["Workers not covered"] == "x").sum() == 1
    assert shown.iloc[0]["Know BPJS TK"] == "40%"  # Tiga: its kecamatan's estimate …
    assert shown.iloc[0]["Estimate from"].startswith("kecamatan")  # … and it says so
    assert (shown.iloc[1]["Know BPJS TK"], shown.iloc[1]["95% range"]) == ("50%", "30%–70%")
    assert not shown[["Workers not covered", "Score"]].isin(["3", "2"]).any().any()
    download = table.download()
    assert (
        download.iloc[2]["Workers not covered"] == "<5"
        and download.iloc[1]["Know BPJS TK (%)"] == 50
    )


def test_kelurahan_table_is_estimated_when_cleaning_did_not_write_it(tmp_path):
    m = one_kelurahan_month(tmp_path / "processed" / "2026-10", survey(tahu_bpjs_tk=[]).iloc[0:0])
    table = aw.kelurahan(m)
    assert list(table["kode_kelurahan"]) == ["k1"] and table["respondents"].tolist() == [0]
    assert [p.name for p in m.folder.iterdir()] == ["survey.parquet"]  # reading writes nothing


@pytest.mark.parametrize(
    ("quality", "expected"),
    [
        ({"survei_kesadaran": {"file": None, "rows_in": 0}}, "There are no awareness-survey data"),
        (
            {"survei_kesadaran": {"file": "survei_kesadaran.csv", "rows_in": 40}},
            "none of its answers",
        ),
    ],
)
def test_a_month_without_usable_answers_is_said_plainly(quality, expected):
    tables = {"survey": survey(tahu_bpjs_tk=[]).iloc[0:0], "quality": quality}
    text = awp.intro(tables, pd.DataFrame({"kode_kelurahan": ["k1"]}), "2026-10", "en").data
    assert expected in text and "October 2026" in text


@pytest.mark.parametrize(
    ("days", "lang", "expected"),
    [
        (["2026-10-03", "2026-10-28"], "id", "3 Oktober 2026 sampai 28 Oktober 2026"),
        (["2026-10-12", "2026-10-12"], "id", "pada 12 Oktober 2026"),
        ([None, None], "id", "pada Oktober 2026"),  # answers without an interview date
        (["2026-10-12"], "en", "on 12 October 2026"),
        ([None], "en", "in October 2026"),
    ],
)
def test_the_survey_intro_says_when_without_a_range_of_one(days, lang, expected):
    """One day or an unknown day is said as such, never 'Oktober 2026 sampai Oktober 2026'."""
    survey = pd.DataFrame(
        {"tanggal": pd.to_datetime(pd.Series(days, dtype=object)), "kode_kelurahan": "x"}
    )
    units = pd.DataFrame({"kode_kelurahan": ["x"]})
    text = awp.intro({"survey": survey}, units, "2026-10", lang).data
    assert expected in text and " sampai " not in text.replace(expected, "")
