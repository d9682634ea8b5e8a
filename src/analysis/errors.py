"""The one exception type whose message is shown to users as-is, without a traceback.

On the command line the message is printed (in English). In a notebook IPython shows what
`_render_traceback_` returns instead of a traceback: the one sentence, in the notebook's
language when the error has a message key and the page layer said which language to use
(`speak_with`, called by `analysis.pages.notebook`). A failing cell still fails: papermill
raises as before, so a report with a bad parameter is never published.
"""

from __future__ import annotations

from collections.abc import Callable


class AnalysisError(Exception):
    """A problem the user can fix (missing file, bad parameter): one clear sentence, no personal data.

    `key` and `fields` name the sentence in the message catalogue (pages/messages/errors.json),
    so a notebook can say it in its own language; the message itself is the English sentence.
    """

    def __init__(self, message: str, key: str | None = None, **fields: object) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the sentence alone, in the notebook's language."""
        return [_speak(self) if _speak is not None else str(self)]


#: How a notebook says an AnalysisError (set by the page layer, which knows the language).
_speak: Callable[[AnalysisError], str] | None = None


def speak_with(say: Callable[[AnalysisError], str] | None) -> None:
    """Show AnalysisErrors in notebooks through `say` (None: the English message)."""
    global _speak
    _speak = say
