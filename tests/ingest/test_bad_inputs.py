"""The bad-input corpus (tests/corpus.py): a clear one-sentence error, or quarantine under the right
rule with every row accounted for — never a traceback, never a lost or invented row."""

import re

import pytest

from analysis.__main__ import main
from analysis.paths import RAW_STEMS
from analysis.pipeline import clean_period

from conftest import PERIOD
from corpus import CASES


def test_the_corpus_is_large_and_covers_every_file():
    assert len(CASES) >= 40
    touched = {name.split(".")[0] for c in CASES for name in c.files}
    assert set(RAW_STEMS) <= touched


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case, tmp_path, capsys):
    data = tmp_path / "data"
    case.write(data / "raw" / PERIOD)
    if case.error:
        code = main(["clean", "--period", PERIOD, "--data-dir", str(data)])
        err = capsys.readouterr().err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert code == 2 and len(errors) == 1 and "Traceback" not in err, err
        assert re.search(case.error, errors[0]), errors[0]
        assert case.error_file in errors[0]
        assert not (data / "processed" / PERIOD).exists()
        return
    result = clean_period(PERIOD, data)
    quarantine = result.tables["quarantine"]
    for stem in RAW_STEMS:
        q = result.quality[stem]
        assert q["rows_in"] == q["rows_clean"] + q["rows_quarantined"] + q["rows_duplicate"], stem
        got = (
            quarantine[quarantine["source_file"].str.startswith(stem + ".")]
            .set_index("source_row")["rule"]
            .to_dict()
        )
        assert got == case.rules.get(stem, {}), stem
    if case.check:
        case.check(result)
