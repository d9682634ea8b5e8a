"""The words officials read: every message and every page's narrative, in both languages, says one
idea with one term and carries no developer words (file paths, column names or rule codes,
library names, 'notebook'); the English report is in English."""

import json
import re

import pytest

from analysis.pages.text import MESSAGES_DIR, catalogue
from analysis.paths import NOTEBOOKS_DIR

#: One term per idea: the term the report uses, and the words it must not drift to.
TERMS = {
    "id": {
        "disembunyikan": ["ditekan", "disensor", "dirahasiakan"],
        "tertimbang": ["berbobot"],
        "rentang 95%": ["interval 95%", "interval kepercayaan", "selang kepercayaan"],
        "belum tercakup": ["belum terlindungi", "tidak terlindungi", "tak terlindungi"],
        "dihaluskan": ["diperhalus", "empirical bayes"],
        "kantong": ["klaster", "hot spot", "lisa"],
        "iuran": ["premi"],
        "sosialisasi": ["penyuluhan"],
    },
    "en": {
        "hidden": ["suppressed", "suppression", "censored"],
        "95% range": ["95% interval", "confidence interval"],
        "not covered": ["uncovered", "not protected", "lack protection"],
        "smoothed": ["empirical bayes"],
        "cluster": ["hot spot", "lisa"],
        "contribution": ["premium"],
    },
}
#: Allowed where the method is explained once for a non-statistician ('Statisticians call
#: this LISA, or local Moran's I').
METHOD_KEYS = {"cov_method"}
DEVELOPER_WORDS = re.compile(
    r"(?<![\w/])(?:data|reports|src|notebooks)/|\.(?:parquet|csv|json|ipynb|py)\b|`"
    r"|\b[a-z]+_[a-z0-9_]+\b"
    r"|\b(?:esda|svy|pysal|libpysal|statsmodels|rapidfuzz|mapclassify|geopandas|pandas|papermill"
    r"|nbconvert|matplotlib|duckdb|jupyter\w*|notebook|buku catatan)\b",
    re.IGNORECASE,
)
#: A message field ('{month}') is filled in, not read.
FIELD = re.compile(r"\{[^{}]*\}")
#: Messages only analysts read, in JupyterLab: errors naming a notebook's parameters, the
#: explore notebook (never published), the cleaning progress bar.
ANALYSTS_ONLY = ("errors.json", "explore.json", "notebook.json")


def analysts_only() -> set[str]:
    """The keys of the analysts' message files."""
    return {
        key
        for name in ANALYSTS_ONLY
        for key in json.loads((MESSAGES_DIR / name).read_text(encoding="utf-8"))
    }


def narrative() -> dict[str, list[tuple[str, str]]]:
    """Every text an official may read, by language: (where, text). The report's pages come
    from the numbered notebooks only (`NN_*.ipynb`)."""
    out: dict[str, list[tuple[str, str]]] = {"id": [], "en": []}
    skip = analysts_only()
    for key, entry in catalogue().items():
        if key in skip:
            continue
        for lang in out:
            out[lang].append((key, FIELD.sub(" ", entry[lang])))
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            tags = cell.get("metadata", {}).get("tags", [])
            if cell["cell_type"] != "markdown" or "remove" in tags:
                continue
            for lang in out:
                if f"lang-{lang}" in tags:
                    out[lang].append((f"{path.name} cell {i}", "".join(cell["source"])))
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_one_term_per_idea(lang):
    drift = [
        (where, word)
        for where, text in narrative()[lang]
        if where not in METHOD_KEYS
        for words in TERMS[lang].values()
        for word in words
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
    ]
    assert drift == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_developer_words_in_what_officials_read(lang):
    found = [
        (where, m.group(0))
        for where, text in narrative()[lang]
        for m in DEVELOPER_WORDS.finditer(text)
    ]
    assert found == []


def test_the_english_report_is_english():
    indonesian = re.compile(
        r"\b(?:yang|dengan|tidak|belum|pekerja|tercakup|disembunyikan|rentang|bulan|dari)\b"
    )
    leaks = [
        (where, m.group(0)) for where, text in narrative()["en"] for m in indonesian.finditer(text)
    ]
    assert leaks == []


def test_every_term_in_use_is_explained_in_the_glossary():
    terms = " ".join(e["id"] for k, e in catalogue().items() if k.startswith("gloss_")).lower()
    for term in (
        "tercakup efektif",
        "belum tercakup",
        "rentang 95%",
        "dihaluskan",
        "kantong",
        "tertimbang",
        "bpu dan pu",
        "<5 dan x",
        "poin",
    ):
        assert f"**{term}" in terms or term in terms, term
