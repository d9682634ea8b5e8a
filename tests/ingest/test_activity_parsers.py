"""The outreach log's own parsers: activity days with a weekday in front, counts with a unit word,
and kinds of activity from the reference keywords (hand cases and properties, hypothesis)."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.classify import activity_of
from analysis.ingest.outreach import activity_count, activity_day

WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
days = st.dates(min_value=date(2018, 12, 1), max_value=date(2030, 12, 31))


@given(days, st.sampled_from(["{w}, {d} {m} {y}", "{w} {dd}/{mm}/{y}", "{w}/ {y}-{mm}-{dd}"]))
def test_a_day_with_its_weekday_in_front_is_read(day, pattern):
    text = pattern.format(
        w=WEEKDAYS[day.weekday()],
        d=day.day,
        dd=f"{day.day:02d}",
        m=MONTHS[day.month - 1],
        mm=f"{day.month:02d}",
        y=day.year,
    )
    assert activity_day(text) == day
    assert activity_day(text.upper()) == day and activity_day(text.lower()) == day


@given(days)
def test_a_day_without_a_weekday_is_read_as_every_other_date(day):
    assert activity_day(day.strftime("%d/%m/%Y")) == day
    assert activity_day(day.isoformat()) == day


@pytest.mark.parametrize(
    "text", ["", "minggu depan", "Senin", "32/10/2026", "Senin, 30 Februari 2026"]
)
def test_what_is_not_a_day_is_not_read(text):
    assert activity_day(text) is None


@given(
    st.integers(0, 5000),
    st.sampled_from(["{n}", "{n} orang", "{n} Peserta", "{n} UMKM", " {n} org. "]),
)
def test_counts_with_a_unit_word_are_read(n, pattern):
    assert activity_count(pattern.format(n=n)) == n


@pytest.mark.parametrize("text", ["banyak", "20-30", "2,5 orang", "orang"])
def test_what_is_not_a_count_is_not_read(text):
    assert activity_count(text) is None


def test_kinds_of_activity_come_from_the_reference_keywords():
    text = pd.Series(
        [
            "Sosialisasi BPJS Ketenagakerjaan",
            "Jemput bola pendaftaran",
            "Sosialisasi dan pendaftaran",
            "Pendampingan door to door",
            "Kunjungan usaha",
            "Lomba tujuhbelasan",
            "",
        ]
    )
    assert list(activity_of(text)) == [
        "sosialisasi",
        "pendaftaran",
        "pendaftaran",
        "pendampingan",
        "pendampingan",
        "lainnya",
        "tidak_diketahui",
    ]
