"""What every notebook does first: check its parameters, set the figure style, open the month.

A notebook's first code cell is `month = open_month(period, data_dir, lang, publish, …)`: one
call that checks every parameter with a plain sentence (in the chosen language where it can),
and loads the cleaned month with the page's settings. When `publish` is true (the report sets
it) the privacy settings must respect their floors.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import AnalysisError
from analysis.month import Month
from analysis.pages import charts
from analysis.pages.text import LANGS
from analysis.paths import Paths, check_period


def check_lang(lang: object) -> str:
    """The report language if it is one the report is written in, else one clear sentence."""
    if lang not in LANGS:
        raise AnalysisError(
            f'lang = {lang!r} is not a report language: use "id" (Bahasa Indonesia) or "en" (English).'
        )
    return str(lang)


def check_data_dir(data_dir: str | Path | None) -> Paths:
    """The data folder's paths; a clear sentence if a folder was given and does not exist."""
    paths = Paths.of(data_dir or None)
    if not paths.data_dir.is_dir():
        raise AnalysisError(f"The data folder {paths.data_dir} does not exist; check data_dir.")
    return paths


def check_parameters(period: str, data_dir: str | Path | None, lang: str) -> Paths:
    """Check the parameters every notebook has (one sentence per problem); the data folder's paths."""
    check_period(period)
    check_lang(lang)
    return check_data_dir(data_dir)


def open_month(
    period: str,
    data_dir: str | Path | None,
    lang: str,
    publish: bool = False,
    **settings: object,
) -> Month:
    """Check the notebook's parameters, set the house figure style, and load the cleaned month."""
    paths = check_parameters(period, data_dir, lang)
    charts.setup()
    month = Month.load(period, paths.data_dir)
    return month.with_settings(publish=publish, **settings) if settings else month
