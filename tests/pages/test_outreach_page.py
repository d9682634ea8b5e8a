"""The outreach page on the demo month without an outreach log: it says there is no log and what
it would take, the visit plan is suppressed like every table and downloads as a CSV pandas opens,
and the analysts' what-if gives the published tables with its defaults and recomputes in place."""

import io
from urllib.parse import unquote

import pandas as pd
import pytest
from IPython.display import HTML, Markdown

from analysis.metrics import affordability, coverage
from analysis.metrics.disclosure import is_small
from analysis.metrics.visit_plan import month_plan
from analysis.pages import affordability_subsidy, outreach_page, outreach_whatif
from analysis.pages.charts import Chart
from analysis.pages.notebook import open_month
from analysis.pages.outreach_download import csv_text, visit_plan_file, write_csv
from analysis.pages.outreach_plan import COUNTS, download_table, page_table
from analysis.pages.text import TABLE_MIME, Download

from conftest import PERIOD


@pytest.fixture(scope="module")
def month(cleaned):
    return open_month(PERIOD, cleaned.out_dir.parent.parent, "id")


def texts(section) -> str:
    return "\n".join(i.data for i in section if isinstance(i, (Markdown, HTML)))


def link_csv(section) -> pd.DataFrame:
    """The table inside the page's download link, read as a browser would save it."""
    html = next(i.html() for i in section if isinstance(i, Download))
    data = html.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]
    return pd.read_csv(io.StringIO(unquote(data).lstrip("\ufeff")), dtype=str)


def test_without_a_log_the_page_says_so_and_what_it_would_need(month):
    intro = texts(outreach_page.section_intro(month, "id"))
    assert "Catatan sosialisasi Oktober 2026 tidak ada" in intro
    effect = texts(outreach_page.section_effect(month, "en"))
    assert "cannot be measured yet" in effect and "there is no outreach log" in effect
    assert "What it takes" in effect and "months of data" in effect
    cards = outreach_page.cover_cards(month, "id").cards
    assert [c["label"] for c in cards] == ["Kunjungi lebih dulu (November 2026)"]


def test_the_plan_section_has_a_map_the_top_rows_and_a_download_pandas_opens(month):
    section = outreach_page.section_plan(month, "id")
    assert sum(isinstance(i, Chart) for i in section) == 1
    plan = month_plan(month)
    first = f"{plan['kelurahan'].iloc[0]} ({plan['kecamatan'].iloc[0]})"
    assert f"**{first}**" in texts(section)
    got = link_csv(section)
    name, published = visit_plan_file(month, "id")
    table = published.frame
    assert name == "rencana_kunjungan_2026-11.csv"
    assert len(got) == 54 and list(got.columns) == list(table.columns)
    assert got.fillna("").equals(table.astype(str).replace("nan", ""))
    assert got["Peringkat"].astype(int).tolist() == list(range(1, 55))
    link = next(i for i in section if isinstance(i, Download))
    assert link.published.digest in link.html()  # the gate's mark on the link
    assert TABLE_MIME in link._repr_mimebundle_()  # and its cells for the report's audit


def test_every_published_count_of_the_plan_passes_the_disclosure_gate(month):
    plan = month_plan(month)
    shown = download_table(plan, month, "id").frame
    universe = coverage.universe(month)
    for col, raw in zip(["Pekerja", "Tercakup efektif", "Belum tercakup"], COUNTS, strict=True):
        values = shown[col]
        hidden = values.isin(["<5", "x"])
        small = is_small(plan[raw].astype(float), 5)
        assert hidden[small].all(), col  # every small count is hidden …
        assert not values[~hidden].map(lambda v: 0 < int(v.replace(".", "")) < 5).any()
        # … exactly where the coverage page hides it (no table shows what another hides)
        states = [universe.cell("kelurahan", k, raw)[0] for k in plan["kode_kelurahan"]]
        assert hidden.tolist() == [s > 0 for s in states], col
    top = page_table(plan, month, "id").frame
    assert len(top) == 10 and list(top.columns) == [
        "#",
        "Kelurahan (kecamatan)",
        "Belum tercakup",
        "Alasan",
    ]
    assert top["Alasan"].str.match(r"^[a-z]").all()  # words first: the column reads as text


def test_the_download_written_to_a_file_opens_with_pandas(month, tmp_path):
    name, table = visit_plan_file(month, "en")
    path = write_csv(table, tmp_path / name)
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert back.shape == (54, 11) and back.columns[0] == "Rank"
    assert csv_text(table).startswith("Rank,Kelurahan,Kecamatan,Workers")
    entry = table.download_entry(name, path.read_bytes())  # what the manifest would list
    assert entry["digest"] == table.digest and entry["counts"] == [3, 4, 5]


def test_what_if_defaults_are_the_published_tables(month):
    d = outreach_whatif.defaults(month)
    assert d == {"share": 1.0, "year": 2027, "threshold": 0.02, "plan_subsidy": False}
    tables = outreach_whatif.recompute(month, "id", **d)
    published = affordability_subsidy.scenario_table(affordability.results(month), "id")
    assert tables["scenarios"].frame.equals(published.frame)
    assert tables["plan"].digest == page_table(month_plan(month), month, "id").digest


def test_what_if_share_threshold_and_year_recompute_the_scenarios(month):
    full = outreach_whatif.scenarios(month, 1.0).set_index("scenario")
    half = outreach_whatif.scenarios(month, 0.5).set_index("scenario")
    assert half.loc["all_uncovered", "budget"] == pytest.approx(
        full.loc["all_uncovered", "budget"] / 2, abs=1
    )
    assert half.loc["baseline", "budget"] == full.loc["baseline", "budget"]  # the city's own
    low = outreach_whatif.scenarios(month, 1.0, threshold=0.005).set_index("scenario")
    assert low.loc["above_threshold", "workers"] > full.loc["above_threshold", "workers"]
    path = outreach_whatif.target_path(month, full.reset_index(), 2030)
    assert list(path["year"]) == [2026, 2027, 2028, 2029, 2030]
    reach = int(full.loc["target", "workers"])
    assert path["workers"].iloc[-1] == reach and path["workers"].is_monotonic_increasing
    assert path["budget"].iloc[-1] == pytest.approx(reach * full.loc["target", "per_worker"])


def shown(output) -> str:
    """What an Output widget shows (the HTML of its one display)."""
    (item,) = output.outputs
    return item["data"]["text/html"]


def test_what_if_callback_redraws_the_outputs_and_the_widgets_are_wired(month):
    import ipywidgets as w

    outputs = {k: w.Output() for k in ("scenarios", "path", "plan")}
    tables = outreach_whatif.update(outputs, month, "en", share=0.5, year=2028, threshold=0.01)
    assert set(tables) == set(outputs)
    half_budget = tables["scenarios"].frame.iloc[1, 3]
    assert half_budget in shown(outputs["scenarios"]) and "2028" in shown(outputs["path"])
    assert outreach_whatif.panel(month, "id", publish=True) is None
    box = outreach_whatif.panel(month, "id")
    share, scenarios_out = box.children[0], box.children[5]
    full = affordability_subsidy.scenario_table(affordability.results(month), "id").frame.iloc[1, 3]
    assert full in shown(scenarios_out)  # the defaults: the published table
    share.value = 0.5  # moving the slider recomputes in place
    assert full not in shown(scenarios_out)
    half = outreach_whatif.recompute(month, "id", share=0.5)["scenarios"].frame.iloc[1, 3]
    assert half in shown(scenarios_out)
