"""Key custody, the Dask scheduler, symbolic links and oversized files (issue 21): each attack
reproduced and refused with one sentence."""

import secrets
import shutil
import zipfile

import pytest

from analysis.errors import AnalysisError
from analysis.ingest.cache import CACHE_DIR
from analysis.ingest.engine import check_scheduler, make_engine
from analysis.ingest.pseudonyms import KEY_ENV, KEY_FILE_ENV, load_key
from analysis.paths import ROOT, check_inside
from analysis.pipeline import clean_period
from analysis.store import swap_in

from conftest import PERIOD


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    path = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    return path


def test_a_new_key_folder_and_file_are_owner_only(key_file):
    load_key(demo=False)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700


def test_a_key_file_others_can_read_is_refused(key_file):
    key_file.parent.mkdir()
    key_file.write_text(secrets.token_hex(32))
    key_file.chmod(0o666)
    with pytest.raises(AnalysisError, match=r"can be read by others \(mode 666\).*chmod 600"):
        load_key(demo=False)


def test_a_key_file_that_is_a_link_is_refused(key_file):
    key_file.parent.mkdir()
    key_file.symlink_to(ROOT / "README.md")
    with pytest.raises(AnalysisError, match="is a link"):
        load_key(demo=False)


@pytest.mark.parametrize(
    "weak",
    ["password" * 4, "0123456789" * 4, "ab" * 20, "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd"],
)
def test_low_entropy_keys_are_refused_and_never_printed(weak, monkeypatch):
    monkeypatch.setenv(KEY_ENV, weak)
    with pytest.raises(AnalysisError) as err:
        load_key(demo=False)
    assert weak not in str(err.value)


def test_a_random_key_is_accepted(monkeypatch):
    good = secrets.token_urlsafe(32)
    monkeypatch.setenv(KEY_ENV, good)
    assert load_key(demo=False) == good.encode()


@pytest.mark.parametrize(
    "address", ["tcp://10.1.2.3:8786", "192.168.0.7:8786", "tcp://scheduler.example:8786"]
)
def test_a_plain_tcp_scheduler_on_another_machine_is_refused(address):
    with pytest.raises(AnalysisError, match="tls://"):
        make_engine("dask", address)


def test_local_tcp_and_tls_schedulers_may_be_named():
    assert check_scheduler("tcp://127.0.0.1:8786") and check_scheduler("tcp://localhost:1")
    assert check_scheduler("tls://scheduler.example:8786")


def test_tls_without_certificates_is_refused():
    with pytest.raises(AnalysisError, match="certificates"):
        make_engine("dask", "tls://scheduler.example:8786")


@pytest.mark.slow  # a Dask cluster
def test_nobody_else_can_connect_to_the_local_cluster():
    """The attack: a second, unauthenticated client read the key from a worker's memory."""
    from distributed import Client

    engine = make_engine("dask")
    try:
        address = engine.client.scheduler.address
        assert address.startswith("tls://")
        with pytest.raises((OSError, TimeoutError, TypeError, ValueError)):
            Client(address, timeout=3)
    finally:
        engine.close()


def test_links_out_of_the_data_or_reports_folder_are_refused(tmp_path):
    root, outside = tmp_path / "reports", tmp_path / "outside"
    root.mkdir(), outside.mkdir()
    (outside / "x").mkdir()
    (root / "_failed").symlink_to(outside, target_is_directory=True)
    with pytest.raises(AnalysisError, match="symbolic link"):
        check_inside(root / "_failed" / "x", root)
    stage = root / ".stage"
    stage.mkdir()
    with pytest.raises(AnalysisError, match="symbolic link"):
        swap_in(stage, root / "_failed" / "x", root)
    assert (outside / "x").is_dir() and stage.is_dir()  # nothing deleted or replaced
    (root / "inside").mkdir()
    (root / "alias").symlink_to(root / "inside", target_is_directory=True)
    assert check_inside(root / "alias" / "y", root)  # a link that stays inside is fine


def test_a_linked_processed_folder_is_refused_before_cleaning_writes(demo_dir, tmp_path):
    data, outside = tmp_path / "data", tmp_path / "outside"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    outside.mkdir()
    (data / "processed").symlink_to(outside, target_is_directory=True)
    with pytest.raises(AnalysisError, match="symbolic link"):
        clean_period(PERIOD, data)
    assert list(outside.iterdir()) == []


def test_a_zip_bomb_workbook_is_refused_in_seconds(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    book = data / "raw" / PERIOD / "umkm.xlsx"
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet9.xml", b"<c>0</c>" * (40 << 20 >> 3))  # 40 MB of XML
    with pytest.raises(AnalysisError, match=r"umkm.xlsx unpacks to .* MB"):
        clean_period(PERIOD, data)


def test_size_and_row_limits_are_configurable(demo_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    monkeypatch.setenv("ANALYSIS_MAX_ROWS", "1000")
    with pytest.raises(AnalysisError, match=r"more than 1,000 data rows.*ANALYSIS_MAX_ROWS"):
        clean_period(PERIOD, data)
    monkeypatch.setenv("ANALYSIS_MAX_ROWS", "100000")
    monkeypatch.setenv("ANALYSIS_MAX_RAW_MB", "0")
    with pytest.raises(AnalysisError, match="ANALYSIS_MAX_RAW_MB"):
        clean_period(PERIOD, data)


def test_clean_runs_the_scanner_and_writes_nothing_that_leaks(demo_dir, tmp_path):
    """A processed table holding a raw NIK (planted through the derive step) stops the clean
    before the month is swapped in; the message names the file, never the NIK."""
    import pandas as pd

    from analysis.ingest import clean
    from analysis.ingest.read import read_raw

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    niks = read_raw("tenaga_kerja", data / "raw" / PERIOD / "tenaga_kerja.csv").frame["nik"]
    nik = niks[niks.str.fullmatch(r"\d{16}")].iloc[0]
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))

    def leak(stage, units):
        pd.DataFrame({"note": [f"peserta {spaced}"]}).to_parquet(stage / "leak.parquet")

    with pytest.raises(AnalysisError, match=r"Privacy check failed.*leak.parquet") as err:
        clean.clean_period(PERIOD, data, derive=leak)
    assert nik not in str(err.value) and spaced not in str(err.value)
    assert not (data / "processed" / PERIOD).exists()


def _planted_nik(data):
    """A raw worker's NIK of the month, spaced out in fours (NIK-shaped and theirs)."""
    from analysis.ingest.read import read_raw

    niks = read_raw("tenaga_kerja", data / "raw" / PERIOD / "tenaga_kerja.csv").frame["nik"]
    nik = niks[niks.str.fullmatch(r"\d{16}")].iloc[0]
    return nik, " ".join(nik[i : i + 4] for i in range(0, 16, 4))


def test_each_table_is_scanned_once_as_soon_as_it_is_written(demo_dir, tmp_path, monkeypatch):
    """The scan of the processed month looks at every file exactly once: the big tables while
    the next is written, the rest at the end."""
    from analysis.ingest import clean, scan

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    early, late = [], []
    original = scan.scan_file
    monkeypatch.setattr(clean, "scan_file", lambda p, s: early.append(p.name) or original(p, s))
    monkeypatch.setattr(scan, "scan_file", lambda p, s: late.append(p.name) or original(p, s))
    result = clean_period(PERIOD, data)
    written = sorted(p.name for p in result.out_dir.iterdir())
    assert sorted(early + late) == written
    assert {"businesses.parquet", "workers.parquet", "participants.parquet"} <= set(early)


def test_a_leak_in_a_table_scanned_early_stops_the_clean(demo_dir, tmp_path, monkeypatch):
    """A raw NIK in a table written (and scanned) before the others are stops the clean all the
    same, naming the file, never the NIK."""
    import pandas as pd
    import pandera.pandas as pa

    from analysis.ingest import clean, write

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    nik, spaced = _planted_nik(data)
    original = write._write_businesses

    def planted(output, biz, roster_n):
        done = original(output, biz, roster_n)
        leak = output.table("leak", pa.DataFrameSchema({"note": pa.Column(str)}))
        leak.write(pd.DataFrame({"note": [f"peserta {spaced}"]}))
        leak.close()
        return done

    monkeypatch.setattr(write, "_write_businesses", planted)
    with pytest.raises(AnalysisError, match=r"Privacy check failed.*leak.parquet") as err:
        clean.clean_period(PERIOD, data)
    assert nik not in str(err.value) and spaced not in str(err.value)
    assert not (data / "processed" / PERIOD).exists()
