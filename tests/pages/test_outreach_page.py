"""The outreach page on the demo month without an outreach log: its message comes first (where to
go, what the visits did, what to do), it says there is no log and what it would take, the visit
plan is suppressed like every table and is a published table (its download holds the page's
cells), the cover's next steps are the plan's, and the analysts' what-if gives the published
tables with its defaults and recomputes in place."""

import pytest
from IPython.display import HTML, Markdown

from analysis.metrics import affordability, coverage
from analysis.metrics.disclosure import is_small
from analysis.metrics.visit_plan import month_plan
from analysis.pages import affordability_subsidy, outreach_page, outreach_whatif
from analysis.pages.charts import Chart
from analysis.pages.notebook import open_month
from analysis.pages.outreach_plan import COUNTS, download_table, page_table
from analysis.pages.published import PublishedTable

from conftest import PERIOD


@pytest.fixture(scope="module")
def month(cleaned):
    return open_month(PERIOD, cleaned.out_dir.parent.parent, "id")


def texts(section) -> str:
    return "\n".join(i.data for i in section if isinstance(i, (Markdown, HTML)))


def test_without_a_log_the_page_says_so_and_what_it_would_need(month):
    intro = outreach_page.section_intro(month, "id")
    plan = month_plan(month)
    first = f"{plan['kelurahan'].iloc[0]} ({plan['kecamatan'].iloc[0]})"
    message = intro[0].data  # the message first: where to go, what the visits did, what to do
    assert message.startswith("- **Bulan November 2026 kunjungi lebih dulu " + first)
    assert "belum bisa diukur" in message and "Yang perlu dilakukan" in message
    assert "catat setiap kegiatan sosialisasi" in message  # no log yet: start keeping one
    assert "Catatan sosialisasi Oktober 2026 tidak ada" in texts(intro)
    effect = texts(outreach_page.section_effect(month, "en"))
    assert "cannot be measured yet" in effect and "there is no outreach log" in effect
    assert "What it takes" in effect and "months of data" in effect
    cover = outreach_page.cover_cards(month, "id")
    assert cover.cards == [] and cover.cover["summary"] == []  # nothing to say on the effect yet
    steps = cover.cover["steps"]
    assert [s["place"] for s in steps] == [
        f"{r.kelurahan} ({r.kecamatan})" for r in plan.head(3).itertuples()
    ]
    assert steps[0]["reasons"][0].endswith("pekerja belum tercakup")
    assert steps[0]["reasons"][1] == "belum pernah dikunjungi"
    assert {s["href"] for s in steps} == {"05_outreach.html"}


def test_the_plan_section_has_a_map_the_top_rows_and_the_whole_list_to_download(month):
    section = outreach_page.section_plan(month, "id")
    assert sum(isinstance(i, Chart) for i in section) == 1
    plan = month_plan(month)
    first = f"{plan['kelurahan'].iloc[0]} ({plan['kecamatan'].iloc[0]})"
    assert f"**{first}**" in texts(section)
    top, full = [i for i in section if isinstance(i, PublishedTable)]
    assert (top.id, len(top)) == ("kunjungan_berikutnya", 10)
    assert (full.id, len(full), full.collapsed) == ("rencana_kunjungan", 54, True)
    download = full.download()
    assert download.columns[:3].tolist() == ["Kelurahan", "Kecamatan", "Peringkat"]
    assert download["Peringkat"].tolist() == list(range(1, 55))
    assert download["Kelurahan"].tolist() == plan["kelurahan"].tolist()
    # the download holds the page's cells: counts as numbers, hidden cells as the page's marks
    shown = full.shown()
    for col in ("Pekerja", "Tercakup efektif", "Belum tercakup"):
        for page, stored in zip(shown[col], download[col], strict=True):
            assert (
                page == stored if isinstance(stored, str) else int(page.replace(".", "")) == stored
            )


def test_every_published_count_of_the_plan_passes_the_disclosure_gate(month):
    plan = month_plan(month)
    shown = download_table(plan, month, "id").shown()
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
    top = page_table(plan, month, "id").shown()
    assert len(top) == 10 and list(top.columns) == [
        "Kelurahan (kecamatan)",
        "Belum tercakup",
        "Alasan",
    ]
    assert top["Alasan"].str.match(r"^[a-z]").all()  # words first: the column reads as text


def test_the_whole_plan_downloads_in_english_with_numbers_as_numbers(month):
    table = download_table(month_plan(month), month, "en")
    back = table.download()
    assert back.shape == (54, 11) and back.columns[:4].tolist() == [
        "Kelurahan",
        "Kecamatan",
        "Rank",
        "Workers",
    ]
    assert "Not heard of BPJS TK (%)" in back.columns
    assert all(isinstance(v, int) or v in ("<5", "x") for v in back["Workers"])
    gated = table.download_gate()  # what the manifest marks the files with, and the audit reads
    assert set(gated.counts) == {"Workers", "Effectively covered", "Not covered"}
    assert {c[:3] for c in gated.cells} >= {
        ("kelurahan", str(k), "uncovered") for k in month_plan(month)["kode_kelurahan"]
    }


def test_what_if_defaults_are_the_published_tables(month):
    d = outreach_whatif.defaults(month)
    assert d == {"share": 1.0, "year": 2027, "threshold": 0.02, "plan_subsidy": False}
    tables = outreach_whatif.recompute(month, "id", **d)
    published = affordability_subsidy.scenario_table(affordability.results(month), "id")
    assert tables["scenarios"].shown().equals(published.shown())
    plan = page_table(month_plan(month), month, "id")
    assert tables["plan"].page_gate().digest == plan.page_gate().digest


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
    half_budget = tables["scenarios"].shown().iloc[1, 3]
    assert half_budget in shown(outputs["scenarios"]) and "2028" in shown(outputs["path"])
    assert outreach_whatif.panel(month, "id", publish=True) is None
    box = outreach_whatif.panel(month, "id")
    share, scenarios_out = box.children[0], box.children[5]
    a = affordability.results(month)
    full = affordability_subsidy.scenario_table(a, "id").shown().iloc[1, 3]
    assert full in shown(scenarios_out)  # the defaults: the published table
    share.value = 0.5  # moving the slider recomputes in place
    assert full not in shown(scenarios_out)
    half = outreach_whatif.recompute(month, "id", share=0.5)["scenarios"].shown().iloc[1, 3]
    assert half in shown(scenarios_out)


def test_a_month_where_everyone_is_covered_sends_nobody_anywhere(month):
    """Everyone covered: the message says there is no kelurahan to visit first, keeps only
    'keep a log' as what to do, and the cover gets no next step from the plan."""
    from analysis.metrics.outreach import results

    plan = month_plan(month).assign(uncovered=0)
    message = outreach_page.summary(results(month), plan, month, "id").data
    assert "tidak ada kelurahan yang perlu dikunjungi lebih dulu" in message
    assert "kirim petugas" not in message and "catat setiap kegiatan sosialisasi" in message
    assert outreach_page._steps(plan, month, "id") == []
