"""The cover: the message first (summary sentences, next steps with every page's reasons), the
figures with coverage first and data quality last, the release facts, and a plain note when the
PDF could not be made."""

from datetime import date

from analysis.report.cover import next_steps, release_info, render, summary_sentences


def cover_parts(with_survey: bool = True) -> dict:
    step = lambda rank, code, place, reason, href: {  # noqa: E731
        "rank": rank,
        "code": code,
        "place": place,
        "reasons": [reason],
        "href": href,
    }
    steps = {
        "02_coverage_map": [
            step(i, f"k{i}", f"Kel {i}", "banyak belum tercakup", "02_coverage_map.html")
            for i in (1, 2, 3)
        ]
    }
    if with_survey:
        steps["03_awareness_gaps"] = [
            step(i, c, f"Kel {c}", "sedikit yang tahu", "03_awareness_gaps.html")
            for i, c in ((2, "k9"), (1, "k7"), (3, "k8"), (4, "k6"))
        ]
    return {
        "summary": [{"rank": 10, "text": "Tingkat **9,7%**."}, {"rank": 30, "text": "Mengapa."}],
        "steps": steps,
        "facts": {"k7": ["iuran ringan"], "k2": ["iuran berat"]},
    }


def test_next_steps_follow_the_priority_list_with_every_pages_reasons():
    steps = next_steps(cover_parts())
    assert [s["code"] for s in steps] == ["k7", "k9", "k8"]  # by rank, three of them
    assert steps[0]["reasons"] == ["sedikit yang tahu", "iuran ringan"]
    fallback = next_steps(cover_parts(with_survey=False))  # no survey: most workers not covered
    assert [s["code"] for s in fallback] == ["k1", "k2", "k3"]
    assert fallback[1]["reasons"] == ["banyak belum tercakup", "iuran berat"]


def test_next_steps_follow_the_visit_plan_when_the_report_has_one():
    parts = cover_parts()
    parts["steps"]["05_outreach"] = [
        {
            "rank": 1,
            "code": "k2",
            "place": "Kel k2",
            "reasons": ["12 pekerja belum tercakup", "belum pernah dikunjungi"],
            "href": "05_outreach.html",
        }
    ]
    steps = next_steps(parts)
    assert [s["code"] for s in steps] == ["k2"]  # the plan, not the awareness priority list
    assert steps[0]["reasons"] == [
        "12 pekerja belum tercakup",
        "belum pernah dikunjungi",
        "iuran berat",
    ]


def test_the_summary_ends_with_what_to_do():
    parts = cover_parts()
    lines = summary_sentences(parts, next_steps(parts), "id")
    assert lines[:2] == ["Tingkat **9,7%**.", "Mengapa."]
    assert lines[-1].startswith("Mulai sosialisasi") and "Kel k7, Kel k9, dan Kel k8" in lines[-1]


def test_what_the_visits_did_follows_the_action_and_the_summary_stays_at_five():
    parts = cover_parts()
    parts["summary"] += [
        {"rank": 20, "text": "Di mana."},
        {"rank": 40, "text": "Biaya."},
        {"rank": 45, "text": "Kunjungan menambah pendaftar.", "with_action": True},
    ]
    lines = summary_sentences(parts, next_steps(parts), "id")
    assert len(lines) == 5 and lines[3] == "Biaya."
    assert lines[-1].startswith("Mulai sosialisasi")
    assert lines[-1].endswith("(lihat di bawah). Kunjungan menambah pendaftar.")
    no_steps = summary_sentences(parts, [], "id")
    assert no_steps[-1] == "Kunjungan menambah pendaftar."


def test_the_data_reach_to_the_last_day_of_the_month():
    r = release_info("2028-02", "id", released=date(2028, 3, 5))
    assert r.cutoff == date(2028, 2, 29) and r.released == date(2028, 3, 5)
    assert r.line("id") == "Dirilis 5 Maret 2028 · data sampai 29 Februari 2028"
    assert r.unit and r.contact  # from config/release.toml


def test_the_cover_puts_the_message_first_and_data_quality_last():
    cards = [
        {"label": "Baris bersih", "value": "93%", "page": "01_clean_registry", "rank": "90"},
        {"label": "Cakupan efektif", "value": "9,7%", "page": "02_coverage_map", "rank": "10"},
    ]
    pages = [("01_clean_registry.html", "Kualitas"), ("02_coverage_map.html", "Cakupan")]
    release = release_info("2026-10", "id", released=date(2026, 11, 5))
    html = render(
        "2026-10", "id", cards, pages, [], "", cover_parts(), release, {"pdf_missing": True}
    )
    order = [
        html.index(x)
        for x in ("Ringkasan", "Langkah berikutnya", "Cakupan efektif", "Baris bersih")
    ]
    assert order == sorted(order)
    assert "<strong>9,7%</strong>" in html and "Dirilis 5 November 2026" in html
    assert "PDF tidak dapat dibuat" in html


def test_without_chromium_there_is_no_pdf_and_the_reason_is_plain(monkeypatch, tmp_path):
    from analysis.report import pdf

    monkeypatch.setattr(pdf, "chromium", lambda: None)
    printer = pdf.Printer().start()
    target = tmp_path / "laporan.pdf"
    assert printer.print(tmp_path / "laporan.html", target, "Judul") == "Chromium is not installed"
    assert not target.exists()
    printer.close()
