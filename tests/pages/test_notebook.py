"""What every notebook does first: a problem an analyst can fix shows as one sentence in the chosen
language (no traceback); long cleans show a progress bar, short ones stay quiet."""

from __future__ import annotations

import json

import pytest

from analysis.errors import AnalysisError, speak_with
from analysis.pages.notebook import open_month, sentence
from analysis.paths import RAW_STEMS

from conftest import PERIOD


@pytest.fixture(autouse=True)
def _quiet_hook():
    yield
    speak_with(None)  # other tests see the English message


def _error(**kwargs) -> AnalysisError:
    args = {"period": PERIOD, "data_dir": "", "lang": "id", "publish": False}
    with pytest.raises(AnalysisError) as err:
        open_month(**{**args, **kwargs})
    return err.value


def test_an_unknown_language_is_named_in_both_languages():
    e = _error(lang="fr")
    assert e.key == "err_lang"
    shown = e._render_traceback_()
    assert shown == [
        'lang = \'fr\' bukan bahasa laporan: gunakan "id" (Bahasa Indonesia) atau "en" (English).\n'
        'lang = \'fr\' is not a report language: use "id" (Bahasa Indonesia) or "en" (English).'
    ]


def test_a_missing_data_folder_says_it_is_missing_in_the_chosen_language(tmp_path):
    missing = tmp_path / "nowhere"
    e = _error(data_dir=str(missing))
    assert e._render_traceback_() == [f"Folder data {missing} tidak ada; periksa data_dir."]
    assert str(e) == f"The data folder {missing} does not exist; check data_dir."
    e = _error(data_dir=str(missing), lang="en")
    assert e._render_traceback_() == [str(e)]


def _cases(cleaned_dir, empty_dir):
    return [
        ({"period": "2026-13"}, "err_period"),
        ({"period": 202610}, "err_period"),
        ({"data_dir": 5}, "err_data_dir_type"),
        ({"data_dir": str(empty_dir)}, "err_not_data_dir"),
        ({"data_dir": str(cleaned_dir), "period": "2026-09"}, "err_not_cleaned"),
        ({"data_dir": str(cleaned_dir), "publish": "yes"}, "err_publish"),
        ({"data_dir": str(cleaned_dir), "min_cell": "five"}, "err_setting_number"),
        ({"data_dir": str(cleaned_dir), "min_cell": 2.5}, "err_setting_whole"),
        ({"data_dir": str(cleaned_dir), "min_cell": None}, "err_setting_number"),
        ({"data_dir": str(cleaned_dir), "min_cell": 0}, "err_below_one"),
        ({"data_dir": str(cleaned_dir), "min_cell": 1, "publish": True}, "err_floor"),
        ({"data_dir": str(cleaned_dir), "min_n": 3, "publish": True}, "err_floor"),
        ({"data_dir": str(cleaned_dir), "threshold": 2}, "err_threshold"),
        ({"data_dir": str(cleaned_dir), "threshold": "2%"}, "err_setting_number"),
        ({"data_dir": str(cleaned_dir), "top": 0}, "err_top"),
        ({"data_dir": str(cleaned_dir), "mincell": 5}, "err_setting_unknown"),
        ({"data_dir": str(cleaned_dir), "subsidy_share": 0}, "err_subsidy_share"),
        ({"data_dir": str(cleaned_dir), "subsidy_share": 1.5}, "err_subsidy_share"),
        ({"data_dir": str(cleaned_dir), "subsidy_group": "informal"}, "err_subsidy_group"),
        ({"data_dir": str(cleaned_dir), "subsidy_discount": "maybe"}, "err_setting_bool"),
    ]


def test_every_parameter_is_checked_with_one_sentence_in_either_language(
    cleaned, demo_dir, tmp_path
):
    for kwargs, key in _cases(demo_dir, tmp_path):
        e = _error(**kwargs)
        assert e.key == key, (kwargs, str(e))
        english, indonesian = sentence(e, "en"), sentence(e, "id")
        assert english == str(e), kwargs  # the catalogue's English is the command line's sentence
        assert indonesian != english and "\n" not in indonesian, kwargs
        assert e._render_traceback_() == [indonesian], kwargs
        assert sentence(e, "en").count(". ") == 0 and english.endswith("."), english


def test_an_error_without_a_message_key_shows_its_own_sentence():
    speak_with(lambda e: sentence(e, "id"))
    e = AnalysisError("Something only the code knows.")
    assert e._render_traceback_() == ["Something only the code knows."]


@pytest.mark.slow
def test_in_a_running_notebook_the_error_is_one_sentence_and_the_run_still_fails(tmp_path):
    """papermill runs notebook 02 with a data folder that does not exist: the cell's error output
    is the Indonesian sentence alone (no traceback) and the run fails as before."""
    import papermill as pm

    from analysis.paths import NOTEBOOKS_DIR
    from analysis.report.run import kernel_name

    out = tmp_path / "out.ipynb"
    missing = tmp_path / "nowhere"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(
            str(NOTEBOOKS_DIR / "02_coverage_map.ipynb"),
            str(out),
            parameters={"data_dir": str(missing), "lang": "id"},
            kernel_name=kernel_name(),
            progress_bar=False,
            cwd=str(NOTEBOOKS_DIR),
        )
    assert err.value.ename == "AnalysisError"
    assert err.value.evalue == f"The data folder {missing} does not exist; check data_dir."
    nb = json.loads(out.read_text())
    errors = [
        o
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    ]
    assert len(errors) == 1
    assert errors[0]["traceback"] == [f"Folder data {missing} tidak ada; periksa data_dir."]


def test_a_long_clean_shows_a_progress_bar_and_a_short_one_does_not():
    import io

    from analysis.pages.notebook import cleaning_progress

    shown = io.StringIO()
    with cleaning_progress("en", delay=0, file=shown) as progress:
        for done in range(13):
            progress(done, 12)
    assert "Cleaning" in shown.getvalue() and "12/12" in shown.getvalue()
    quiet = io.StringIO()
    with cleaning_progress("id", file=quiet) as progress:  # over well before 5 seconds
        progress(12, 12)
    assert quiet.getvalue() == ""
    off = io.StringIO()
    with cleaning_progress("id", delay=0, disable=True, file=off) as progress:
        progress(12, 12)
    assert off.getvalue() == ""


def test_cleaning_reports_every_file_partition_and_the_write(demo_dir, tmp_path):
    import shutil

    from analysis.pipeline import clean_period

    shutil.copytree(demo_dir / "raw", tmp_path / "raw")
    told = []
    result = clean_period(
        PERIOD, tmp_path, partition_rows=1_000, progress=lambda d, t: told.append((d, t))
    )
    parts = sum(
        -(-q["rows_in"] // 1_000)
        for q in result.quality.values()
        if isinstance(q, dict) and q.get("file")
    )
    done, total = told[-1]
    assert (
        done == total == len(RAW_STEMS) + parts + 1
    )  # each raw file read, every partition, the write
    assert [d for d, _ in told] == sorted(d for d, _ in told)  # never goes back
