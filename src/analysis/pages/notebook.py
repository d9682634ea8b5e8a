"""What every notebook does first: check its parameters, set the figure style, open the month.

A notebook's first code cell is `month = open_month(period, data_dir, lang, publish, …)`: one
call that checks every parameter with a plain sentence (in the chosen language where it can),
and loads the cleaned month with the page's settings — for a region and, in a region of several
kabupaten/kota, one of them (`area`: one notebook, a page per kabupaten/kota). When `publish` is
true (the report sets it) the privacy settings must respect their floors.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import AnalysisError
from analysis.month import Month
from analysis.pages import charts
from analysis.pages.text import LANGS
from analysis.paths import DEFAULT_REGION, Paths, check_period, check_region
from analysis.reference import region_code


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


def check_parameters(
    period: str, data_dir: str | Path | None, lang: str, region: str = DEFAULT_REGION
) -> Paths:
    """Check the parameters every notebook has (one sentence per problem); the data folder's
    paths for the region."""
    check_period(period)
    check_lang(lang)
    region_code(check_region(region))  # a region regions.csv does not know: one sentence
    return Paths.of(check_data_dir(data_dir).data_dir, region=region)


def open_month(
    period: str,
    data_dir: str | Path | None,
    lang: str,
    publish: bool = False,
    region: str = DEFAULT_REGION,
    area: str = "",
    **settings: object,
) -> Month:
    """Check the notebook's parameters, set the house figure style, and load the month cleaned
    for `region` — or one kabupaten/kota of it (`area`, e.g. "klaten"; empty: all of it)."""
    paths = check_parameters(period, data_dir, lang, region)
    charts.setup()
    month = Month.load(period, paths.data_dir, region, area or None)
    return month.with_settings(publish=publish, **settings) if settings else month
