"""Awareness of BPJS Ketenagakerjaan from the survey: weighted shares, the gap, the funnel, reasons, priority.

Who has not heard of BPJS Ketenagakerjaan, and where should socialisation go first? Everything
here works on the cleaned survey (`survey.parquet`: one row a respondent, weight `bobot`).

Method, and why
---------------
- **Design.** The survey is stratified by kecamatan (equal allocation), so weights differ
  strongly between kecamatan (weight = the kecamatan's UMKM people / its respondents). Shares
  are weighted (Hájek: sum of weights of "yes" over sum of weights), and their variance is the
  design-based one: Taylor linearisation with kecamatan strata, with-replacement (no finite
  population correction; conservative at the survey's ~6% sampling fraction), computed by
  **svy** (`svy.Sample(...).estimation.mean(..., by=..., deff="wr")`). svy is the maintained
  successor of samplics (archived) and is validated against R's `survey` package. Breakdowns
  (kelurahan, kecamatan, sector, role) are *domains* of the whole design (unconditional domain
  estimation), as R's `svyby` does. A kecamatan with a single respondent is handled with svy's
  "center" rule (R's `survey.lonely.psu = "adjust"`). statsmodels' `DescrStatsW` was not used
  for the variance: it treats weights as frequency weights (an n of ~10,000 instead of ~600,
  so intervals far too narrow) and knows no strata.
- **Intervals for shares.** Wilson score interval (`metrics.intervals.wilson`, statsmodels'
  `proportion_confint` to the bit; the same interval docs/design.md asks for coverage rates) at
  the design's *effective sample size* `n_eff = m / deff`, where `m` is the cell's respondents
  and `deff` svy's design effect against simple random sampling with replacement (Korn &
  Graubard 1998's effective n).
  `n_eff` is capped at `m` (as in the NCHS presentation standard, Parker et al. 2017): a cell
  is never treated as more precise than a simple random sample of its respondents. Where the
  share is 0% or 100% the design variance is zero and tells nothing, so Kish's weighting
  effect is used instead: `n_eff = (Σw)² / Σw²`. With all weights equal to 1 and no strata,
  `deff = 1` and the intervals are exactly the plain Wilson intervals.
- **The gap** (knows BPJS Kesehatan − knows BPJS Ketenagakerjaan) is estimated on the same
  respondents as the weighted mean of the per-person difference (−1, 0 or 1), so the
  correlation between the two answers is in its variance; its interval is svy's
  t-interval with the design's degrees of freedom (with unit weights and no strata: the
  plain paired t-interval).
- **Missing answers** (only `terdaftar` may be empty) leave the respondent out of that
  measure's cell (a domain of the design), not out of the design.
- **Small cells.** A share from fewer than `min_n` respondents is not published: it is
  returned as missing with `suppressed = True` (shown as "<min_n" in tables, hatched on maps),
  never as 0%.
- **Funnel.** Nested stages of all respondents: heard of BPJS Ketenagakerjaan → heard of it
  *and* knows at least one of JKK/JKM/JHT → that *and* is enrolled; plus each stage as a share
  of the one before.
- **Priority score** of a kelurahan = uncovered workers (coverage: workers − effectively
  covered) × (1 − share aware of BPJS Ketenagakerjaan): the estimated number of uncovered
  workers who have not heard of it, assuming uncovered workers are as aware as the
  kelurahan's respondents (if anything they are less aware, so this is a lower bound). Where
  the kelurahan has fewer than `min_n` respondents its kecamatan's share is used (column
  `basis`); if the kecamatan too has fewer, the score is unknown and the kelurahan is not
  ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.intervals import wilson
from analysis.month import Month
from analysis.reference import UNKNOWN, read_table
from analysis.settings import DEFAULTS

DEFAULT_MIN_N = DEFAULTS.min_n
ALPHA = 0.05
STRATUM = "kode_kecamatan"
WEIGHT = "bobot"
#: measure name → survey column (True = yes)
MEASURES = {
    "aware_kesehatan": "tahu_bpjs_kesehatan",
    "aware_tk": "tahu_bpjs_tk",
    "knows_benefit": "tahu_manfaat",
    "enrolled": "terdaftar",
}
#: breakdown name → survey column
BREAKDOWNS = {
    "kelurahan": "kode_kelurahan",
    "kecamatan": "kode_kecamatan",
    "sector": "sektor",
    "role": "peran",
}
ROLES = ("pemilik", "pekerja")
STAGES = ("aware", "knows_benefit", "enrolled")
TOTAL = "total"
SHARE_COLUMNS = [
    "group",
    "measure",
    "respondents",
    "weight",
    "share",
    "lo",
    "hi",
    "se",
    "deff",
    "n_eff",
    "suppressed",
]
FILE_NAME = "awareness_kelurahan.parquet"
#: fixed map classes (upper bounds) for shares aware, so that months compare
MAP_BREAKS = [0.1, 0.2, 0.3, 0.4, 0.5, 1.0]


# ------------------------------------------------------------------ estimation core


def _prepared(survey: pd.DataFrame) -> pd.DataFrame:
    """The survey with breakdown columns filled (a missing role or sector is its own group)."""
    data = survey.reset_index(drop=True).copy()
    for col in BREAKDOWNS.values():
        if col in data:
            data[col] = data[col].astype("object").where(data[col].notna(), UNKNOWN).astype(str)
    data[WEIGHT] = data[WEIGHT].astype("float64")
    return data


def load_estimators() -> None:
    """Import the survey estimator now (svy and polars: ~0.2 s), e.g. on a thread while the
    month is being cleaned, so that the awareness table does not wait for it afterwards."""
    import svy  # noqa: F401  (lazy elsewhere in this module, see below)
    from scipy.special import ndtri  # noqa: F401  (for the intervals)


def _design_means(
    data: pd.DataFrame, y: pd.Series, inside: pd.Series, by: list[str], alpha: float
) -> pd.DataFrame:
    """svy's weighted mean of `y` per group of `by` among rows where `inside` (domain estimation).

    Returns the groups (as columns) with est, se, lci, uci (t-interval), deff (vs SRS with
    replacement) and n.
    """
    import polars as pl  # lazy, as svy (which imports it)
    import svy  # lazy: ~1 s to import, only for survey estimates

    frame = pd.DataFrame(
        {
            STRATUM: data[STRATUM].astype(str),
            WEIGHT: data[WEIGHT].astype("float64"),
            "_in": inside.to_numpy(dtype=bool),
            "_y": y.astype("float64").fillna(0.0).to_numpy(),
        }
    )
    for col in by:
        frame[col] = data[col].astype(str).to_numpy()
    sample = svy.Sample(
        data=pl.from_pandas(frame),
        design=svy.Design(stratum=STRATUM, wgt=WEIGHT, singleton="center"),
    )
    try:
        est = sample.estimation.mean("_y", by=["_in", *by], deff="wr", alpha=alpha).to_polars()
    except svy.errors.MethodError as exc:
        # svy refuses when *every* group's design effect is undefined, which happens when
        # every group's share is 0% or 100% (zero variance); those use Kish's n_eff anyway.
        if exc.code != "DEFF_NOT_COMPUTABLE":
            raise
        est = sample.estimation.mean("_y", by=["_in", *by], alpha=alpha).to_polars()
        est = est.with_columns(pl.lit(float("nan")).alias("deff"))
    out = est.to_pandas()
    out = out[out["_in"].astype(bool)].drop(columns="_in")
    return out.reset_index(drop=True)


def _wilson(share: np.ndarray, n_eff: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval of a weighted share on its effective sample size; NaN where either is not finite."""
    usable = np.isfinite(share) & np.isfinite(n_eff)
    n = np.where(usable, n_eff, 0.0)  # no observations: no interval
    lo, hi = wilson(np.where(usable, share, 0.0) * n, n, alpha)
    # rounding can put a bound a hair past its share (0% with a lower bound of 3e-17)
    return np.minimum(lo, share), np.maximum(hi, share)


def _empty_shares() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in SHARE_COLUMNS})


def shares(
    survey: pd.DataFrame,
    columns: list[str],
    by: str | None = None,
    within: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Weighted share answering yes to each column, per group of `by`, with 95% intervals.

    `within` names a boolean column: shares among those respondents only (e.g. among the not
    enrolled). One row per (group, measure) with respondents, sum of weights, share, lo, hi,
    se, deff, n_eff and `suppressed` (fewer than `min_n` respondents: share/lo/hi missing).
    Without `by`, the group is "total".
    """
    if min_n < 1:
        raise ValueError("min_n must be at least 1")
    data = _prepared(survey)
    if data.empty:
        return _empty_shares()
    groups = [by] if by else []
    base = data[within].astype("boolean").fillna(False).astype(bool) if within else True
    frames = []
    for col in columns:
        y = data[col].astype("Float64")
        inside = y.notna() & base
        if not inside.any():
            continue
        w = data[WEIGHT].where(inside, 0.0)
        stats = (
            pd.DataFrame(
                {
                    "group": data[by] if by else TOTAL,
                    "m": inside.astype(int),
                    "w": w,
                    "w2": w**2,
                    "wy": w * y.fillna(0).astype("float64"),
                }
            )[inside.to_numpy()]
            .groupby("group")
            .sum()
        )
        est = _design_means(data, y, inside, groups, alpha)
        est["group"] = est[by] if by else TOTAL
        est = est.set_index("group").reindex(stats.index)
        m = stats["m"].to_numpy(dtype="float64")
        share = (stats["wy"] / stats["w"]).to_numpy()
        deff = est["deff"].to_numpy(dtype="float64")
        kish = (stats["w"] ** 2 / stats["w2"]).to_numpy()
        degenerate = (share <= 0) | (share >= 1) | ~np.isfinite(deff) | (deff <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(degenerate, kish, np.minimum(m, m / deff))
        lo, hi = _wilson(share, n_eff, alpha)
        frames.append(
            pd.DataFrame(
                {
                    "group": stats.index.astype(str),
                    "measure": col,
                    "respondents": stats["m"].to_numpy(dtype="int64"),
                    "weight": stats["w"].to_numpy(),
                    "share": share,
                    "lo": lo,
                    "hi": hi,
                    "se": est["se"].to_numpy(dtype="float64"),
                    "deff": np.where(degenerate, np.nan, deff),
                    "n_eff": n_eff,
                }
            )
        )
    if not frames:
        return _empty_shares()
    out = pd.concat(frames, ignore_index=True)
    out["suppressed"] = out["respondents"] < min_n
    out.loc[out["suppressed"], ["share", "lo", "hi", "se", "deff", "n_eff"]] = np.nan
    return out[SHARE_COLUMNS]


def breakdown(
    survey: pd.DataFrame,
    measure: str = "aware_tk",
    by: str = "role",
    min_n: int = DEFAULT_MIN_N,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """One measure (`MEASURES` key) by kelurahan, kecamatan, sector or role (`BREAKDOWNS` key)."""
    return shares(survey, [MEASURES[measure]], BREAKDOWNS[by], min_n=min_n, alpha=alpha).assign(
        measure=measure
    )


def gap(
    survey: pd.DataFrame, by: str | None = None, min_n: int = DEFAULT_MIN_N, alpha: float = ALPHA
) -> pd.DataFrame:
    """Aware of BPJS Kesehatan, aware of BPJS Ketenagakerjaan and the gap between them, with intervals.

    `by`: a survey column (e.g. "peran", "kode_kecamatan") or None for the whole city.
    Columns: group, respondents, weight, aware_kesehatan(_lo/_hi), aware_tk(_lo/_hi),
    aware_gap(_lo/_hi), suppressed.
    """
    cols = [
        "group",
        "respondents",
        "weight",
        *[
            f"{m}{s}"
            for m in ("aware_kesehatan", "aware_tk", "aware_gap")
            for s in ("", "_lo", "_hi")
        ],
        "suppressed",
    ]
    both = shares(
        survey, [MEASURES["aware_kesehatan"], MEASURES["aware_tk"]], by, min_n=min_n, alpha=alpha
    )
    if both.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = None
    for name in ("aware_kesehatan", "aware_tk"):
        part = both[both["measure"].eq(MEASURES[name])].set_index("group")
        part = part[["respondents", "weight", "share", "lo", "hi", "suppressed"]].rename(
            columns={"share": name, "lo": f"{name}_lo", "hi": f"{name}_hi"}
        )
        out = part if out is None else out.join(part[[name, f"{name}_lo", f"{name}_hi"]])
    data = _prepared(survey)
    diff = data[MEASURES["aware_kesehatan"]].astype("float64") - data[MEASURES["aware_tk"]].astype(
        "float64"
    )
    est = _design_means(data, diff, pd.Series(True, index=data.index), [by] if by else [], alpha)
    est["group"] = est[by].astype(str) if by else TOTAL
    est = est.set_index("group").reindex(out.index)
    out["aware_gap"] = est["est"].to_numpy(dtype="float64")
    # a difference of two shares lies in [-1, 1]; the t-interval of a tiny cell may not
    out["aware_gap_lo"] = np.clip(est["lci"].to_numpy(dtype="float64"), -1, 1)
    out["aware_gap_hi"] = np.clip(est["uci"].to_numpy(dtype="float64"), -1, 1)
    out.loc[out["suppressed"], ["aware_gap", "aware_gap_lo", "aware_gap_hi"]] = np.nan
    return out.reset_index()[cols]


def funnel(
    survey: pd.DataFrame, by: str | None = None, min_n: int = DEFAULT_MIN_N, alpha: float = ALPHA
) -> pd.DataFrame:
    """The funnel aware → knows at least one benefit (JKK/JKM/JHT) → enrolled, as nested shares.

    Each stage is a share of all respondents (`share`, `lo`, `hi`) and of the stage before
    (`of_previous`, `of_previous_lo`, `of_previous_hi`; for the first stage the same as share).
    An unanswered `terdaftar` leaves the respondent out of the last stage only.
    """
    data = survey.copy()
    aware = data[MEASURES["aware_tk"]].astype("boolean")
    data["_aware"] = aware
    data["_knows_benefit"] = aware & data[MEASURES["knows_benefit"]].astype("boolean")
    data["_enrolled"] = data["_knows_benefit"] & data[MEASURES["enrolled"]].astype("boolean")
    columns = [f"_{s}" for s in STAGES]
    cols = [
        "group",
        "stage",
        "respondents",
        "share",
        "lo",
        "hi",
        "of_previous",
        "of_previous_lo",
        "of_previous_hi",
        "suppressed",
    ]
    overall = shares(data, columns, by, min_n=min_n, alpha=alpha)
    if overall.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    parts = [overall]
    for prev, col in zip(columns[:-1], columns[1:], strict=True):
        step = shares(data, [col], by, within=prev, min_n=min_n, alpha=alpha)
        parts.append(step.assign(measure=col + "|of_previous"))
    long = pd.concat(parts, ignore_index=True)
    rows = []
    groups = overall["group"].drop_duplicates()
    for g in groups:
        for stage, col in zip(STAGES, columns, strict=True):
            a = long[(long["group"] == g) & (long["measure"] == col)]
            if a.empty:
                continue
            a = a.iloc[0]
            b = long[(long["group"] == g) & (long["measure"] == col + "|of_previous")]
            b = b.iloc[0] if len(b) else (a if stage == STAGES[0] else None)
            rows.append(
                {
                    "group": g,
                    "stage": stage,
                    "respondents": int(a["respondents"]),
                    "share": a["share"],
                    "lo": a["lo"],
                    "hi": a["hi"],
                    "of_previous": np.nan if b is None else b["share"],
                    "of_previous_lo": np.nan if b is None else b["lo"],
                    "of_previous_hi": np.nan if b is None else b["hi"],
                    "suppressed": bool(a["suppressed"]),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def reasons(
    survey: pd.DataFrame,
    min_n: int = DEFAULT_MIN_N,
    alpha: float = ALPHA,
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """Reasons for not enrolling, ranked by weighted share among the not enrolled who gave one.

    Columns: alasan, label_id, label_en, respondents (not enrolled with a reason), cited
    (respondents giving this reason), share, lo, hi, suppressed, rank ("lainnya" = other last).
    """

    labels = read_table("survey_reasons.csv", reference_dir).set_index("alasan")
    cols = [
        "alasan",
        "label_id",
        "label_en",
        "respondents",
        "cited",
        "share",
        "lo",
        "hi",
        "suppressed",
        "rank",
    ]
    data = survey.copy()
    if data.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    data["_why"] = data[MEASURES["enrolled"]].astype("boolean").eq(False).fillna(False) & data[
        "alasan"
    ].ne(UNKNOWN)
    codes = list(labels.index) + sorted(set(data.loc[data["_why"], "alasan"]) - set(labels.index))
    for code in codes:
        data[f"_r_{code}"] = data["alasan"].eq(code)
    out = shares(data, [f"_r_{c}" for c in codes], within="_why", min_n=min_n, alpha=alpha)
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out["alasan"] = out["measure"].str.removeprefix("_r_")
    cited = data[data["_why"]].groupby("alasan").size()
    out["cited"] = out["alasan"].map(cited).fillna(0).astype("int64")
    out["label_id"] = out["alasan"].map(labels["label_id"]).fillna(out["alasan"])
    out["label_en"] = out["alasan"].map(labels["label_en"]).fillna(out["alasan"])
    out = out[out["cited"] > 0]  # a reason nobody gave is not a bar worth drawing
    out["_other"] = out["alasan"].eq("lainnya")
    out = out.sort_values(["_other", "share", "cited"], ascending=[True, False, False])
    out["rank"] = np.arange(1, len(out) + 1)
    return out[cols].reset_index(drop=True)


# ------------------------------------------------------------------ the kelurahan table


def awareness_kelurahan(
    survey: pd.DataFrame, units: pd.DataFrame, alpha: float = ALPHA
) -> pd.DataFrame:
    """One row per kelurahan of `units` (all of them): respondents, weight and weighted shares.

    The processed table of docs/design.md: `kode_kelurahan, respondents, weight, aware_kesehatan,
    aware_tk, aware_gap` (empty where nobody answered) with their intervals (`_lo`, `_hi`),
    plus `knows_benefit`, `enrolled`, names, and the kecamatan's own estimate of awareness of
    BPJS Ketenagakerjaan (`kecamatan_respondents`, `aware_tk_kecamatan…`, the fallback used by
    the priority list). No minimum is applied here: use `respondents` when publishing.
    """
    out = units[["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan"]].copy()
    out = out.reset_index(drop=True)
    by_kel = gap(survey, "kode_kelurahan", min_n=1, alpha=alpha).set_index("group")
    more = shares(
        survey,
        [MEASURES["knows_benefit"], MEASURES["enrolled"]],
        "kode_kelurahan",
        min_n=1,
        alpha=alpha,
    )
    by_kec = shares(survey, [MEASURES["aware_tk"]], "kode_kecamatan", min_n=1, alpha=alpha)
    by_kec = by_kec.set_index("group")
    code = out["kode_kelurahan"]
    out["respondents"] = code.map(by_kel["respondents"]).fillna(0).astype("int64")
    out["weight"] = code.map(by_kel["weight"]).astype("float64").fillna(0.0)
    for name in ("aware_kesehatan", "aware_tk", "aware_gap"):
        for s in ("", "_lo", "_hi"):
            out[name + s] = code.map(by_kel[name + s]).astype("float64")
    for name in ("knows_benefit", "enrolled"):
        part = more[more["measure"].eq(MEASURES[name])].set_index("group")
        out[name] = code.map(part["share"]).astype("float64")
        out[f"{name}_lo"] = code.map(part["lo"]).astype("float64")
        out[f"{name}_hi"] = code.map(part["hi"]).astype("float64")
    kec = out["kode_kecamatan"]
    out["kecamatan_respondents"] = kec.map(by_kec["respondents"]).fillna(0).astype("int64")
    for s in ("", "_lo", "_hi"):
        src = {"": "share", "_lo": "lo", "_hi": "hi"}[s]
        out[f"aware_tk_kecamatan{s}"] = kec.map(by_kec[src]).astype("float64")
    return out


def kelurahan(month: Month) -> pd.DataFrame:
    """The month's awareness_kelurahan table: as cleaning wrote it, or (months cleaned before it
    was written) estimated from the survey on the month's own units."""
    if (month.folder / FILE_NAME).exists():
        return month.table(FILE_NAME.removesuffix(".parquet"))
    return awareness_kelurahan(month.table("survey"), month.units)


@dataclass
class AwarenessMonth:
    """What the awareness page needs for one month: the survey, the kelurahan table, the
    coverage counts (for the priority list) and the minimum respondents of a published share."""

    survey: pd.DataFrame
    kelurahan: pd.DataFrame
    coverage: pd.DataFrame
    units: pd.DataFrame
    min_n: int
    quality: dict


def results(month: Month) -> AwarenessMonth:
    """The month's survey results (computed once per month)."""
    return month.memo(
        "awareness",
        lambda: AwarenessMonth(
            survey=month.table("survey"),
            kelurahan=kelurahan(month),
            coverage=month.table("coverage_kelurahan"),
            units=month.units,
            min_n=month.settings.min_n,
            quality=month.quality,
        ),
    )


# ------------------------------------------------------------------ where to go first


def priority(
    coverage: pd.DataFrame, awareness: pd.DataFrame, min_n: int = DEFAULT_MIN_N
) -> pd.DataFrame:
    """Kelurahan ranked for socialisation by uncovered workers × share not aware of BPJS Ketenagakerjaan.

    `coverage`: coverage_kelurahan (workers, effective); `awareness`: awareness_kelurahan.
    The awareness used is the kelurahan's when it has at least `min_n` respondents, else its
    kecamatan's (`basis` says which; "unknown" when neither has enough). `score` = uncovered ×
    (1 − aware), with `score_lo`/`score_hi` from the awareness interval. Unknown scores are
    not ranked (rank missing) and come last.
    """
    cov = coverage[
        ["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan", "workers", "effective"]
    ]
    aw = awareness.set_index("kode_kelurahan")
    out = cov.copy().reset_index(drop=True)
    code = out["kode_kelurahan"]
    out["uncovered"] = (out["workers"] - out["effective"]).clip(lower=0).astype("int64")
    out["respondents"] = code.map(aw["respondents"]).fillna(0).astype("int64")
    kec_n = code.map(aw["kecamatan_respondents"]).fillna(0).astype("int64")
    own = out["respondents"] >= min_n
    fallback = ~own & (kec_n >= min_n)
    out["basis"] = np.where(own, "kelurahan", np.where(fallback, "kecamatan", "unknown"))
    for s in ("", "_lo", "_hi"):
        kel_v = code.map(aw[f"aware_tk{s}"]).astype("float64")
        kec_v = code.map(aw[f"aware_tk_kecamatan{s}"]).astype("float64")
        out[f"aware_tk{s}"] = np.where(own, kel_v, np.where(fallback, kec_v, np.nan))
    out["kecamatan_respondents"] = kec_n
    out["score"] = out["uncovered"] * (1 - out["aware_tk"])
    out["score_lo"] = out["uncovered"] * (1 - out["aware_tk_hi"])
    out["score_hi"] = out["uncovered"] * (1 - out["aware_tk_lo"])
    out = out.sort_values(["score", "uncovered"], ascending=False, na_position="last")
    known = out["score"].notna()
    out["rank"] = pd.array(np.where(known, np.cumsum(known), 0), dtype="Int64")
    out.loc[~known, "rank"] = pd.NA
    return out.reset_index(drop=True)
