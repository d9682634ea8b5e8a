"""Notebook 02's figures: the page's numbers are coverage_kelurahan.parquet's, suppression holds,
and a month with no participants or kelurahan without businesses renders without error."""

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.metrics import coverage
from analysis.metrics.disclosure import check_published
from analysis.month import Month
from analysis.pages import coverage_maps, coverage_page
from analysis.pages.maps import NO_DATA
from analysis.pages.text import fmt_int, fmt_pct

from conftest import PERIOD, hatched


@pytest.fixture(scope="module")
def month(cleaned, demo_dir):
    return coverage.results(Month.load(PERIOD, demo_dir))


@pytest.fixture(scope="module")
def parquet(cleaned, demo_dir):
    return pd.read_parquet(demo_dir / "processed" / PERIOD / "coverage_kelurahan.parquet")


def test_headline_and_city_table_show_the_parquet_totals(month, parquet):
    workers, effective = parquet["workers"].sum(), parquet["effective"].sum()
    text = coverage_page.headline(month, "id").data
    assert f"{fmt_int(workers)} orang" in text and f"**{fmt_int(effective)}** pekerja" in text
    assert f"**{fmt_pct(effective / workers)}**" in text
    assert f"**{fmt_int(workers - effective)}** pekerja" in text
    city = coverage_page.city_table(month, "id").shown()
    assert city.iloc[2, 1] == fmt_int(effective) and city.iloc[0, 1] == fmt_int(
        parquet["registered"].sum()
    )
    assert "target" in text and "kurang" not in text.lower()  # a contribution, not a shortfall


def test_top_ten_table_matches_the_parquet(month, parquet):
    table = coverage_page.top_uncovered_table(month, "id").shown()
    assert len(table) == 10
    kel = parquet.set_index("kelurahan")
    shown = []
    for row in table.itertuples(index=False):
        name, uncovered, workers, effective = row[0], row[2], row[3], row[4]
        assert workers == fmt_int(kel.loc[name, "workers"])
        if uncovered not in ("x", "<5"):
            assert uncovered == fmt_int(kel.loc[name, "workers"] - kel.loc[name, "effective"])
            assert effective == fmt_int(kel.loc[name, "effective"])
            shown.append(kel.loc[name, "workers"] - kel.loc[name, "effective"])
    assert shown == sorted(shown, reverse=True)
    published = (parquet["workers"] - parquet["effective"]).where(
        ~month.protected.hidden["uncovered"].to_numpy()
    )
    assert max(shown) == published.max()  # nobody with more uncovered workers is left out


def test_kecamatan_table_sums_the_parquet(month, parquet):
    table = coverage_page.kecamatan_table(month, "id").shown()
    sums = parquet.groupby("kecamatan", sort=False)[["workers", "effective"]].sum()
    for row in table.itertuples(index=False):
        if row[0] in sums.index:
            assert row[2] == fmt_int(sums.loc[row[0], "workers"])
            assert row[3] == fmt_int(sums.loc[row[0], "effective"])
    assert table.iloc[-1, 2] == fmt_int(parquet["workers"].sum())


def test_no_small_count_is_published(month):
    check_published(month.protected, ["workers", "registered", "effective", "uncovered"])
    p = month.protected
    hidden_rate = p.hidden["effective_rate_eb"]
    assert (hidden_rate | ~p.hidden["effective"]).all()  # a hidden count hides its rate too
    for which in ("sektor", "kelas_usaha"):
        table = coverage_page.group_table(month, which, "id")
        assert len(table.shown()) >= 1


def test_ranking_uses_only_published_numbers():
    table = coverage.add_rates(
        pd.DataFrame(
            {
                "kode_kelurahan": list("abcd"),
                "kelurahan": list("ABCD"),
                "kecamatan": ["K"] * 4,
                "workers": [300, 223, 200, 100],
                "registered": [40, 10, 30, 20],
                "active": [30, 5, 25, 15],
                "effective": [20, 3, 20, 10],
            }
        )
    )
    table["effective_rate_eb"] = table["effective_rate"]
    month = SimpleNamespace(protected=coverage.protect_table(table, 5, [None]))
    # b: 3 covered (suppressed) so its 220 uncovered are hidden; it is ranked by its 223 workers
    order = coverage_page.top_uncovered(month, 4)
    assert list(table.loc[order, "kode_kelurahan"]) == ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def empty_month(cleaned, demo_dir, tmp_path_factory):
    """The demo month with no participants at all and three kelurahan without businesses."""
    data = tmp_path_factory.mktemp("empty") / "data"
    src = demo_dir / "processed" / PERIOD
    dst = data / "processed" / PERIOD
    shutil.copytree(src, dst)
    kel = pd.read_parquet(dst / "coverage_kelurahan.parquet")
    gone = kel["kode_kelurahan"].iloc[:3].tolist()
    kel.loc[kel["kode_kelurahan"].isin(gone), ["businesses", "workers", "roster_workers"]] = 0
    kel[["registered", "active", "effective"]] = 0
    for m in ("registered", "active", "effective"):
        kel[f"{m}_rate"] = (kel[m] / kel["workers"]).where(kel["workers"] > 0)
    kel.to_parquet(dst / "coverage_kelurahan.parquet")
    biz = pd.read_parquet(dst / "businesses.parquet")
    biz[~biz["kode_kelurahan"].isin(gone)].to_parquet(dst / "businesses.parquet")
    wrk = pd.read_parquet(dst / "workers.parquet")
    wrk = wrk[~wrk["kode_kelurahan"].isin(gone)].assign(
        registered=False, active=False, effective=False
    )
    wrk.to_parquet(dst / "workers.parquet")
    pd.read_parquet(dst / "participants.parquet").head(0).to_parquet(dst / "participants.parquet")
    return data, gone


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_month_with_no_participants_and_empty_kelurahan_renders(empty_month, lang):
    data, gone = empty_month
    month = coverage.results(Month.load(PERIOD, data))
    assert month.city["effective"] == 0 and month.moran is None
    assert month.kelurahan.set_index("kode_kelurahan").loc[gone, "effective_rate_eb"].isna().all()
    assert "**0** " in coverage_page.headline(month, lang).data
    assert coverage_page.lisa_text(month, lang).data.startswith(
        ("Kantong tidak dicari", "No clusters were")
    )
    short = coverage_page.target_text(month.progress, lang).data
    assert "1" in short and str(coverage.MIN_HISTORY) in short
    for table in (
        coverage_page.city_table(month, lang),
        coverage_page.top_uncovered_table(month, lang),
        coverage_page.kecamatan_table(month, lang),
        coverage_page.group_table(month, "sektor", lang),
        coverage_page.group_table(month, "kelas_usaha", lang),
        coverage_page.target_table(month.progress, lang),
    ):
        assert len(table.shown()) >= 1
    chart = coverage_maps.coverage_map(month, lang)
    ax = chart.fig.axes[0]
    assert hatched(ax, NO_DATA) == 3  # kelurahan without businesses: no data, not 0%
    chart = coverage_maps.uncovered_map(month, lang)
    assert chart.png()[:4] == b"\x89PNG" and len(chart.alt) > 10
    # nothing was tested for hot spots: no map of 'no data' everywhere (lisa_text says why)
    assert coverage_maps.hot_spot_map(month, lang).data == ""
    assert coverage_page.method_text(month, lang).data
    assert coverage_page.group_chart_frame(month, "sektor", lang)["rate"].eq(0).all()


@pytest.mark.slow
@pytest.mark.parametrize("which", ["demo", "empty"])
def test_notebook_runs_top_to_bottom(which, demo_dir, empty_month, tmp_path):
    import papermill as pm

    from analysis.paths import NOTEBOOKS_DIR
    from analysis.report.run import kernel_name

    data = demo_dir if which == "demo" else empty_month[0]
    out = tmp_path / "02.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "02_coverage_map.ipynb"),
        str(out),
        parameters={"period": PERIOD, "data_dir": str(data), "lang": "en", "publish": True},
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    import nbformat

    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert (
        "folium" not in html and "leaflet" not in html.lower()
    )  # no interactive map when published
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    # the empty month has no hot-spot map (nothing was tested; a sentence says why)
    assert len(images) >= (5 if which == "demo" else 4)


@pytest.fixture(scope="module")
def two_months(cleaned, demo_dir, tmp_path_factory):
    """The demo month and, before it, a month with fewer workers effectively covered."""
    data = tmp_path_factory.mktemp("two") / "data"
    now = data / "processed" / PERIOD
    shutil.copytree(demo_dir / "processed" / PERIOD, now)
    before = data / "processed" / "2026-09"
    shutil.copytree(now, before)
    kel = pd.read_parquet(before / "coverage_kelurahan.parquet")
    kel["effective"] = (kel["effective"] * 0.8).astype("int64")
    kel.to_parquet(before / "coverage_kelurahan.parquet")
    return data, kel


def test_last_months_coverage_and_the_change_are_shown_for_city_and_kecamatan(two_months):
    data, before = two_months
    cov = coverage.results(Month.load(PERIOD, data))
    assert cov.previous_period == "2026-09"
    now = pd.read_parquet(data / "processed" / PERIOD / "coverage_kelurahan.parquet")
    table = coverage_page.kecamatan_table(cov, "id").shown().set_index("Kecamatan")
    prev_col, change_col = "Cakupan efektif September 2026", "Perubahan (poin)"
    for name, group in before.groupby("kecamatan"):
        rate_before = group["effective"].sum() / group["workers"].sum()
        g_now = now[now["kecamatan"] == name]
        rate_now = g_now["effective"].sum() / g_now["workers"].sum()
        assert table.loc[name, prev_col] == fmt_pct(rate_before)
        points = round((rate_now - rate_before) * 100, 1)
        assert table.loc[name, change_col] == ("+" if points > 0 else "") + f"{points:.1f}".replace(
            ".", ","
        )
    city = before["effective"].sum() / before["workers"].sum()
    assert table.loc["Kota Surakarta", prev_col] == fmt_pct(city)
    headline = coverage_page.headline(cov, "id").data
    assert (
        f"naik {round((now['effective'].sum() / now['workers'].sum() - city) * 100, 1):.1f}".replace(
            ".", ","
        )
        in headline
    )


def test_the_trend_is_in_percent_of_workers(two_months):
    from analysis.pages.coverage_trend import trend_frame

    data, before = two_months
    cov = coverage.results(Month.load(PERIOD, data))
    frame = trend_frame(cov, "id")
    assert list(frame.index) == ["September 2026", "Oktober 2026"]
    first = frame.iloc[0, 0]
    assert first == pytest.approx(before["effective"].sum() / before["workers"].sum())
    assert (frame.to_numpy() <= 1).all()
