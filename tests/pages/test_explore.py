"""The explore notebook's parts: the table of every kelurahan (checked against the parquet files
and statsmodels), a kelurahan's profile, the offline map spec, the subsidy controls, and the
widget callbacks driven as JupyterLab would drive them."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.metrics import affordability
from analysis.metrics.subsidy import Policy
from analysis.month import Month
from analysis.pages import explore
from analysis.pages.explore_map import MIME

from conftest import PERIOD


@pytest.fixture(scope="module")
def month(cleaned, demo_dir) -> Month:
    return Month.load(PERIOD, demo_dir)


@pytest.fixture(scope="module")
def parquet(month):
    return {name: pd.read_parquet(month.folder / f"{name}.parquet") for name in
            ("coverage_kelurahan", "awareness_kelurahan", "workers")}  # fmt: skip


def test_every_kelurahan_with_every_measure_as_the_parquet_files_have_it(month, parquet):
    frame = explore.kelurahan_frame(month)
    kel = parquet["coverage_kelurahan"].set_index("kode_kelurahan")
    assert len(frame) == len(kel) == 54 and set(frame.index) == set(kel.index)
    kel = kel.loc[frame.index]
    rate = kel["effective"] / kel["workers"]
    assert np.allclose(frame["effective_rate"], rate, equal_nan=True)
    assert (frame["uncovered"] == kel["workers"] - kel["effective"]).all()
    ok = kel["workers"] > 0
    low, high = proportion_confint(
        kel.loc[ok, "effective"], kel.loc[ok, "workers"], method="wilson"
    )
    assert np.allclose(frame.loc[ok, "effective_low"], low)
    assert np.allclose(frame.loc[ok, "effective_high"], high)
    aw = parquet["awareness_kelurahan"].set_index("kode_kelurahan").loc[frame.index]
    assert np.allclose(frame["aware_tk"], aw["aware_tk"], equal_nan=True)
    w = parquet["workers"]
    inc = w[w["penghasilan_bulanan"] > 0]
    median = (8_400 / inc["penghasilan_bulanan"]).groupby(inc["kode_kelurahan"]).median()
    assert np.allclose(frame["burden_median"], median.reindex(frame.index), equal_nan=True)
    assert np.allclose(frame["self"] + frame["wage"], frame["uncovered"])
    a = affordability.results(month)
    assert frame["budget"].sum() == pytest.approx(a.scenario("all_uncovered")["budget"])
    # sorted from the lowest effective coverage: the first question's answer is the first rows
    assert frame["effective_rate"].is_monotonic_increasing
    assert frame.index[0] == rate.idxmin()


def test_the_table_speaks_the_notebooks_language_and_shows_percentages(month, parquet):
    shown_id = explore.kelurahan_table(month, "id")
    shown_en = explore.kelurahan_table(month, "en")
    assert "Cakupan efektif (%)" in shown_id and "Belum tercakup" in shown_id
    assert "Effective coverage (%)" in shown_en and "Not covered" in shown_en
    kel = parquet["coverage_kelurahan"]
    first = kel.loc[(kel["effective"] / kel["workers"]).idxmin()]
    row = shown_en.iloc[0]
    assert row["Kelurahan"] == first["kelurahan"]
    assert row["Effective coverage (%)"] == round(100 * first["effective"] / first["workers"], 1)
    assert row["Not covered"] == first["workers"] - first["effective"]
    assert shown_en["Effective coverage (%)"].max() <= 100
    assert shown_en["Effective coverage (%)"].max() > 1  # percentages, not shares


def test_the_interactive_table_needs_no_internet(month):
    page = explore.section_table(month, "id")
    html = page.html()
    assert "<table" in html and "toLocaleString('id-ID'" in html
    # nothing is loaded from the internet (links in the "loading…" text are only links)
    assert not re.search(
        r"""(src=|href=|from\s+|import\s*\()["']?https?://(?!itables\.org)""", html
    )
    bundle = page._repr_mimebundle_()
    assert "Sriwedari" in bundle["text/plain"] or len(bundle["text/plain"]) > 0


def test_a_kelurahan_profile_in_either_language(month):
    frame = explore.kelurahan_frame(month)
    code = frame.index[0]
    name = frame.loc[code, "kelurahan"]
    text = explore.profile(month, code, "id")
    assert f"<b>{name}</b>" in text and "urutan ke-1 dari 54" in text
    assert "ranks 1 of 54" in explore.profile(month, code, "en")
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="There is no kelurahan"):
        explore.profile(month, "99.99", "id")


def test_choosing_a_kelurahan_in_the_list_shows_its_profile(month):
    box = explore.section_profile(month, "en")
    pick, out = box.children
    assert out.outputs and "ranks 1 of 54" in out.outputs[0]["data"]["text/html"]
    other = next(code for _, code in pick.options if code != pick.value)
    pick.value = other  # what the dropdown does when a kelurahan is chosen
    frame = explore.kelurahan_frame(month)
    assert f"<b>{frame.loc[other, 'kelurahan']}</b>" in out.outputs[0]["data"]["text/html"]


def test_the_map_is_a_vega_lite_5_spec_with_names_on_hover_and_nothing_to_fetch(month):
    spec = explore.map_view(month, "effective_rate_eb", "id").spec
    text = json.dumps(spec)
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert text.count("http") == 1  # the schema's name only: no data, script or tile URL
    shapes = spec["data"]["values"]
    assert len(shapes) == 54
    records = spec["transform"][0]["from"]["data"]["values"]
    assert {r["kode_kelurahan"] for r in records} == {
        f["properties"]["kode_kelurahan"] for f in shapes
    }
    tips = [x["field"] for x in spec["layer"][1]["encoding"]["tooltip"]]
    assert tips[:2] == ["kelurahan", "kecamatan"]
    sriwedari = next(r for r in records if r["kelurahan"] == "Sriwedari")
    assert sriwedari["rate_text"] == "0,0%"
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert scale["type"] == "threshold" and scale["domain"] == [0.05, 0.10, 0.20, 0.30, 0.50]
    from shapely.geometry import shape

    for f in shapes:  # outer rings clockwise, as d3-geo draws them
        geom = shape(f["geometry"])
        for part in getattr(geom, "geoms", [geom]):
            assert not part.exterior.is_ccw


def test_choosing_a_measure_redraws_the_map(month):
    box = explore.section_map(month, "en")
    pick, out = box.children
    before = out.outputs[0]["data"][MIME]["title"]
    pick.value = "uncovered"
    after = out.outputs[0]["data"][MIME]
    assert after["title"] != before and after["title"].startswith("Not covered")
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="The map shows one of"):
        explore.map_view(month, "nonsense", "en")


def test_the_subsidy_controls_recompute_the_budget(month):
    box = explore.section_subsidy(month, "en")
    share, group, discount, out = box.children
    full = affordability.with_policy(month, Policy(1.0, "BPU", False)).scenario("all_uncovered")
    assert "Rp" in out.outputs[0]["data"]["text/html"]
    share.value = 0.5
    half = affordability.with_policy(month, Policy(0.5, "BPU", False)).scenario("all_uncovered")
    assert half["budget"] == pytest.approx(full["budget"] / 2)
    html = out.outputs[0]["data"]["text/html"]
    assert "<b>50%</b> of the cheapest package for self-employed workers (BPU)" in html
    assert f"{round(half['budget']):,}" in html  # the scenario table's budget, in full
    group.value = "all"
    assert "every worker not covered (BPU and PU)" in out.outputs[0]["data"]["text/html"]
    discount.value = True
    assert "as if it applied" in out.outputs[0]["data"]["text/html"]


def test_the_processed_tables_to_load_yourself(month, parquet):
    overview = explore.tables_overview(month, "en").set_index("Table")
    assert int(overview.loc["workers", "Rows"].replace(",", "")) == len(parquet["workers"])
    assert "nik_hash" in overview.loc["workers", "Columns"]
    assert "coverage_kelurahan" in overview.index


def test_notebook_03s_analyst_table_speaks_the_language_with_intervals(month, parquet):
    from analysis.pages.awareness_page import kelurahan_estimates, results

    shown = kelurahan_estimates(results(month).kelurahan, "en")
    aw = parquet["awareness_kelurahan"]
    assert list(shown.columns[:3]) == ["Kelurahan", "Kecamatan", "Survey respondents"]
    assert len(shown) == len(aw) == 54
    first = aw.iloc[0]
    pct = lambda x: f"{round(100 * x)}%"  # noqa: E731
    expected = f"{pct(first['aware_tk'])} ({round(100 * first['aware_tk_lo'])}–{pct(first['aware_tk_hi'])})"
    assert shown.loc[0, "Know BPJS Ketenagakerjaan"] == expected
