"""The coverage page's maps (notebook 02), drawn from a `coverage.CoverageMonth` with the map
styles of `analysis.pages.maps`: effective coverage (smoothed, on the fixed RATE_BREAKS),
uncovered workers as circles, and the LISA hot and cold spots.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from IPython.display import Markdown

from analysis.metrics.coverage import RATE_BREAKS, CoverageMonth, protected
from analysis.metrics.spatial import PERMUTATIONS
from analysis.pages.figures import Chart
from analysis.pages.maps import categories, choropleth, proportional_symbols
from analysis.pages.text import fmt_int, fmt_month, fmt_pct, t

#: LISA cluster colours: orange for low coverage, teal for high, as on the coverage map.
LISA_COLORS = {"LL": "#d95f02", "LH": "#fdb863", "HL": "#80cdc1", "HH": "#01665e", "ns": "#e6e6e6"}


def _pct(lang: str) -> Callable[[float], str]:
    return lambda x: fmt_pct(x, lang, digits=0)


def kecamatan_rates(cov: CoverageMonth) -> pd.Series:
    """Each kelurahan's kecamatan's effective rate, where the kecamatan's is published (the
    kecamatan table's): the colour under a suppressed kelurahan's hatching."""
    p = protected(cov, "kecamatan")  # the universe's states, as the kecamatan table shows them
    rate = pd.Series(
        p.table["effective_rate"].mask(p.hidden["effective_rate"]).to_numpy(),
        index=p.table["kode_kecamatan"],
    )
    kel = cov.kelurahan
    return pd.Series(kel["kode_kecamatan"].map(rate).to_numpy(), index=kel["kode_kelurahan"])


def coverage_map(cov: CoverageMonth, lang: str = "id") -> Chart | Markdown:
    """Effective coverage by kelurahan (empirical-Bayes smoothed) on the fixed RATE_BREAKS; a
    suppressed kelurahan shows its kecamatan's rate under the hatching."""
    p = cov.protected
    codes = p.table["kode_kelurahan"]
    return choropleth(
        pd.Series(p.table["effective_rate_eb"].to_numpy(), index=codes),
        RATE_BREAKS,
        t("cov_map_title", lang, month=fmt_month(cov.period, lang)),
        t("cov_map_legend", lang),
        lang,
        fmt=_pct(lang),
        # a kelurahan without workers has no rate at all: drawn as no data, not as suppressed
        suppressed=pd.Series(
            (p.hidden["effective_rate_eb"] & p.table["workers"].gt(0)).to_numpy(), index=codes
        ),
        note=t("cov_map_note", lang),
        region=cov.region,
        reference_dir=cov.reference_dir,
        fallback=kecamatan_rates(cov),
        empty=t("few_workers_map", lang, k=cov.min_cell),
    )


def uncovered_map(cov: CoverageMonth, lang: str = "id") -> Chart | Markdown:
    """Workers without effective coverage by kelurahan, as proportional circles."""
    p = cov.protected
    codes = p.table["kode_kelurahan"]
    values = pd.Series(p.table["uncovered"].astype("float64").to_numpy(), index=codes)
    values = values.where(pd.Series(p.table["workers"].to_numpy(), index=codes) > 0)
    return proportional_symbols(
        values,
        t("cov_unc_title", lang, month=fmt_month(cov.period, lang)),
        t("cov_unc_legend", lang),
        lang,
        fmt=lambda x: fmt_int(x, lang),
        suppressed=pd.Series(p.hidden["uncovered"].to_numpy(), index=codes),
        note=t("cov_unc_note", lang),
        region=cov.region,
        reference_dir=cov.reference_dir,
        empty=t("few_workers_map", lang, k=cov.min_cell),
    )


def hot_spot_map(cov: CoverageMonth, lang: str = "id") -> Chart | Markdown:
    """Significant LISA clusters of the smoothed effective rate."""
    kel = cov.kelurahan
    return categories(
        pd.Series(kel["lisa_cluster"].to_numpy(), index=kel["kode_kelurahan"]),
        LISA_COLORS,
        {code: t(f"cov_lisa_{code}", lang) for code in LISA_COLORS},
        t("cov_lisa_title", lang, month=fmt_month(cov.period, lang)),
        t("cov_lisa_legend", lang),
        lang,
        note=t("cov_lisa_note", lang, permutations=fmt_int(PERMUTATIONS, lang)),
        describe=[c for c in LISA_COLORS if c != "ns"],
        region=cov.region,
        reference_dir=cov.reference_dir,
        empty="",  # nothing was tested: the sentence above the map says why
    )
