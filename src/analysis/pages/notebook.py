"""What every notebook does first: check its parameters, set the figure style, open the month.

A notebook's first code cell is `month = open_month(period, data_dir, lang, publish, …)`: one
call that checks every parameter with a plain sentence, and loads the cleaned month with the
page's settings. When `publish` is true (the report sets it) the privacy settings must respect
their floors.

A problem the analyst can fix (an `AnalysisError`) shows in the notebook as one sentence, no
traceback, in the chosen language when the sentence is in pages/messages/errors.json (in both
languages until a valid `lang` is known); on the command line it stays in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from analysis.errors import AnalysisError, speak_with
from analysis.month import Month
from analysis.pages import charts
from analysis.pages.text import LANGS, catalogue, t
from analysis.paths import Paths, check_period


def sentence(error: AnalysisError, lang: str | None) -> str:
    """The error's sentence in `lang` where it is one of ours, else its English message;
    Indonesian then English when no language is chosen yet."""
    if error.key is None or error.key not in catalogue():
        return str(error)
    if lang not in LANGS:
        return "\n".join(t(error.key, x, **error.fields) for x in LANGS)
    return t(error.key, lang, **error.fields)


def speak(lang: str | None) -> None:
    """Show AnalysisErrors in this kernel in `lang` (None: both languages)."""
    speak_with(partial(sentence, lang=lang))


def check_lang(lang: object) -> str:
    """The report language if it is one the report is written in, else one clear sentence."""
    if lang not in LANGS:
        raise AnalysisError(
            f'lang = {lang!r} is not a report language: use "id" (Bahasa Indonesia) or "en" (English).',
            "err_lang",
            value=repr(lang),
        )
    return str(lang)


def check_data_dir(data_dir: object) -> Paths:
    """The data folder's paths; a clear sentence if the folder does not exist or is not a data folder."""
    if data_dir is not None and not isinstance(data_dir, str | Path):
        raise AnalysisError(
            f'data_dir must be a folder in quotes ("" for the project\'s data/ folder), not {data_dir!r}.',
            "err_data_dir_type",
            value=repr(data_dir),
        )
    paths = Paths.of(data_dir or None)
    folder = str(paths.data_dir)
    if not paths.data_dir.is_dir():
        raise AnalysisError(
            f"The data folder {folder} does not exist; check data_dir.",
            "err_data_dir_missing",
            folder=folder,
        )
    if not any((paths.data_dir / sub).is_dir() for sub in ("raw", "processed")):
        raise AnalysisError(
            f"{folder} is not a data folder (it has no raw/ or processed/ folder); check data_dir.",
            "err_not_data_dir",
            folder=folder,
        )
    return paths


def check_publish(publish: object) -> bool:
    """`publish` if it is True or False, else one clear sentence."""
    if not isinstance(publish, bool):
        raise AnalysisError(
            f"publish must be True or False, not {publish!r}.", "err_publish", value=repr(publish)
        )
    return publish


def check_parameters(period: str, data_dir: str | Path | None, lang: str) -> Paths:
    """Check the parameters every notebook has (one sentence per problem); the data folder's paths.
    From here on, errors in this kernel are shown in `lang`."""
    speak(None)
    speak(check_lang(lang))
    check_period(period)
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
    check_publish(publish)
    charts.setup()
    month = Month.load(period, paths.data_dir)
    return month.with_settings(publish=publish, **settings) if settings else month


#: A clean that ends sooner shows no progress bar (the demo month takes a few seconds).
PROGRESS_DELAY = 5.0


@contextmanager
def cleaning_progress(
    lang: str, delay: float = PROGRESS_DELAY, **bar: object
) -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` for `pipeline.clean_period`: a progress bar (a widget in
    JupyterLab, text in a terminal) that appears only once cleaning has taken `delay` seconds."""
    from tqdm.auto import tqdm  # lazy: only notebook 01 shows a bar

    progress_bar = tqdm(total=1, desc=t("nb_cleaning", lang), unit="", delay=delay, **bar)

    def progress(done: int, total: int) -> None:
        progress_bar.total = total
        progress_bar.update(done - progress_bar.n)

    try:
        yield progress
    finally:
        progress_bar.close()
