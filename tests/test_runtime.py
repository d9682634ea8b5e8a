"""The package keeps Arrow's allocator off transparent huge pages (see `analysis/__init__.py`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # fresh interpreters: the setting is read when pyarrow loads

#: In a fresh interpreter: huge pages allowed again first (mimalloc turns them off for the process
#: and its children with prctl, and this test's own process has imported the package), then the
#: package and 128 MB from Arrow's pool touched; prints whether huge pages are enabled for the
#: process and how many kB of its anonymous memory are on them.
TOUCH = """
import ctypes
ctypes.CDLL(None, use_errno=True).prctl(41, 0, 0, 0, 0)  # PR_SET_THP_DISABLE off
import analysis, numpy as np, pyarrow as pa
buf = pa.allocate_buffer(128 << 20)
np.frombuffer(memoryview(buf), dtype="uint8")[:] = 1
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
huge = sum(int(line.split()[1]) for line in open("/proc/self/smaps") if line.startswith("AnonHugePages:"))
print(int(status.get("THP_enabled", "-1")), huge)
"""


def touch(**env: str) -> tuple[int, int]:
    run = subprocess.run(
        [sys.executable, "-c", TOUCH],
        env={k: v for k, v in os.environ.items() if k != "MIMALLOC_ALLOW_THP"} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    enabled, huge = run.stdout.split()
    return int(enabled), int(huge)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_arrow_memory_is_not_on_huge_pages_unless_the_environment_asks():
    assert touch() == (0, 0)  # huge pages off for the process, none used
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    if thp.exists() and "[never]" not in thp.read_text():
        # the same allocation with huge pages allowed does use them: the test can tell
        enabled, huge = touch(MIMALLOC_ALLOW_THP="1")
        assert enabled == 1 and huge > 0


def test_a_large_month_is_cleaned_on_huge_pages_a_small_one_not(tmp_path, monkeypatch):
    """`python -m analysis clean` allows huge pages for a month whose raw files reach
    `LARGE_MONTH_BYTES` (sparse files: the size counts, not the disk used), and leaves a
    choice made in the environment alone."""
    import analysis
    from analysis import __main__ as cli
    from analysis.paths import LARGE_MONTH_BYTES

    monkeypatch.delitem(sys.modules, "pyarrow")  # as in a fresh `python -m analysis`
    monkeypatch.setattr(analysis, "THP_FROM_ENVIRONMENT", False)
    monkeypatch.setenv("MIMALLOC_ALLOW_THP", "0")
    raw = tmp_path / "raw"
    raw.mkdir()
    with (raw / "tenaga_kerja.csv").open("wb") as f:
        f.truncate(LARGE_MONTH_BYTES // 2)
    cli.huge_pages_for(raw)
    assert os.environ["MIMALLOC_ALLOW_THP"] == "0"
    cli.huge_pages_for(tmp_path / "no such folder")
    assert os.environ["MIMALLOC_ALLOW_THP"] == "0"
    with (raw / "peserta_bpjstk.csv").open("wb") as f:
        f.truncate(LARGE_MONTH_BYTES // 2)
    monkeypatch.setattr(analysis, "THP_FROM_ENVIRONMENT", True)  # the user's choice stands
    cli.huge_pages_for(raw)
    assert os.environ["MIMALLOC_ALLOW_THP"] == "0"
    monkeypatch.setattr(analysis, "THP_FROM_ENVIRONMENT", False)
    cli.huge_pages_for(raw)
    assert os.environ["MIMALLOC_ALLOW_THP"] == "1"
