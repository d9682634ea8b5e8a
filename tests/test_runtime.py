"""The package keeps Arrow's allocator off transparent huge pages (see `analysis/__init__.py`), and
`python -m analysis clean` decides what it does with memory it frees (`analysis.ingest.memory`)."""

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


#: In a fresh interpreter: the memory plan for the raw folder and engine given, then 256 MB from
#: Arrow's pool and 256 MB of numpy arrays touched, freed, `release_memory()` called and Arrow's
#: pool told to purge what it may; prints the plan, the allocator's setting, and how many MB the
#: process held above its start at the top and after.
PLAN = """
import os, sys
from pathlib import Path
from analysis.ingest.memory import plan_for_month, release_memory
plan = plan_for_month(Path(sys.argv[1]), sys.argv[2])
import numpy as np, pyarrow as pa
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20
start = rss()
buffers = [pa.allocate_buffer(4 << 20) for _ in range(64)]
for b in buffers:
    np.frombuffer(memoryview(b), dtype="uint8")[:] = 1
arrays = [np.ones(1 << 20, dtype="uint8") for _ in range(256)]
top = rss() - start
del buffers, arrays
release_memory()
pa.default_memory_pool().release_unused()  # all Arrow may purge: nothing when it never purges
print(plan, os.environ.get("MIMALLOC_PURGE_DELAY"), top, rss() - start)
"""


def unchosen(**env: str) -> dict[str, str]:
    """This environment without allocator settings (a Dask cluster started earlier in this
    process sets MALLOC_TRIM_THRESHOLD_ here for its workers), plus `env`."""
    drop = ("MIMALLOC_PURGE_DELAY", "GLIBC_TUNABLES")
    return {
        k: v for k, v in os.environ.items() if k not in drop and not k.startswith("MALLOC_")
    } | env


def plan(raw: Path, engine: str = "pandas", **env: str) -> tuple[str, str, int, int]:
    run = subprocess.run(
        [sys.executable, "-c", PLAN, str(raw), engine],
        env=unchosen(**env),
        capture_output=True,
        text=True,
        check=True,
    )
    name, delay, top, after = run.stdout.split()
    return name, delay, int(top), int(after)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_a_small_month_keeps_what_it_frees_a_large_one_hands_it_back(tmp_path):
    """`python -m analysis clean` keeps freed memory for reuse while it cleans a month under
    `LARGE_MONTH_BYTES` in this process (sparse files: the size counts, not the disk used), and
    hands it back for a large one or on Dask; a setting made in the environment is left alone."""
    from analysis.paths import LARGE_MONTH_BYTES

    small, large = tmp_path / "small", tmp_path / "large"
    for folder, size in ((small, LARGE_MONTH_BYTES // 2), (large, LARGE_MONTH_BYTES)):
        folder.mkdir()
        with (folder / "tenaga_kerja.csv").open("wb") as f:
            f.truncate(size)
    name, delay, top, after = plan(small)
    assert (name, delay) == ("keep", "-1") and top >= 500 and after >= 500  # all still held
    name, delay, top, after = plan(large)
    assert (name, delay) == ("bounded", "3000") and top >= 500 and after < 100  # handed back
    assert plan(small, "dask")[:2] == ("bounded", "3000")  # its workers start with the setting
    assert plan(tmp_path / "no such folder")[:2] == ("keep", "-1")  # no month: nothing large
    assert plan(large, MIMALLOC_PURGE_DELAY="50")[:2] == ("bounded", "50")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_c_library_accepts_the_settings_the_environment_did_not_choose():
    code = "from analysis.ingest.memory import keep_freed_memory; print(keep_freed_memory())"

    def accepted(**env: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", code], env=unchosen(**env), capture_output=True, text=True
        )
        return run.stdout.strip()

    assert accepted() == "{-1: True, -2: True, -3: True}"
    assert accepted(MALLOC_TOP_PAD_="0") == "{-1: True, -3: True}"
    assert accepted(GLIBC_TUNABLES="glibc.malloc.trim_threshold=0") == "{}"


def test_the_command_line_decides_before_arrow_or_numpy_load():
    """`python -m analysis clean` sets the plan before anything loads pyarrow: the command line's
    module imports none of pyarrow, numpy or pandas (else the plan would quietly be 'as is')."""
    code = (
        "import sys, analysis.__main__; "
        "print(sorted(m for m in ('pyarrow', 'numpy', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_plan_changes_nothing_once_pyarrow_is_loaded(tmp_path, monkeypatch):
    """In a process that has loaded pyarrow (a notebook's kernel, a test) the allocators stay as
    they are: the setting would not be read, and a kernel must not keep its largest month."""
    import pyarrow  # noqa: F401  (as in a kernel that has cleaned or read a month)

    from analysis.ingest import memory

    assert "pyarrow" in sys.modules
    monkeypatch.delenv("MIMALLOC_PURGE_DELAY", raising=False)
    assert memory.plan_for_month(tmp_path) == "as is"
    assert "MIMALLOC_PURGE_DELAY" not in os.environ and not memory.keeping()


def test_a_month_is_cleaned_in_memory_only_in_this_process_and_not_large(tmp_path, monkeypatch):
    from analysis.ingest import memory

    (tmp_path / "umkm.csv").write_bytes(b"x" * 100)
    assert memory.in_memory(tmp_path, "pandas") and not memory.in_memory(tmp_path, "dask")
    monkeypatch.setattr(memory, "LARGE_MONTH_BYTES", 100)
    assert not memory.in_memory(tmp_path, "pandas")
