"""The same month on the same inputs gives identical processed files and identical report content
(timestamps and timings only in the manifest)."""

import json

import pytest

from analysis.pipeline import clean_period
from analysis.report.publish import publish_report

from conftest import PERIOD

pytestmark = pytest.mark.slow


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cleaning_twice_gives_identical_files(demo_dir):
    out = demo_dir / "processed" / PERIOD
    clean_period(PERIOD, demo_dir)
    first = snapshot(out)
    clean_period(PERIOD, demo_dir)
    assert snapshot(out) == first


def test_reporting_twice_gives_identical_pages(demo_dir, tmp_path):
    a = publish_report(PERIOD, data_dir=demo_dir, reports_dir=tmp_path / "a").parent
    b = publish_report(PERIOD, data_dir=demo_dir, reports_dir=tmp_path / "b").parent
    sa, sb = snapshot(a), snapshot(b)
    assert sa.keys() == sb.keys()
    differ = sorted(k for k in sa if sa[k] != sb[k])
    assert differ in ([], ["manifest.json"])
    ma, mb = json.loads(sa["manifest.json"]), json.loads(sb["manifest.json"])
    for m in (ma, mb):
        m.pop("generated_at")
        m.pop("notebook_seconds")
        m.pop("step_seconds")
    assert ma == mb
