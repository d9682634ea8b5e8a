"""The one exception type whose message is shown to users as-is, without a traceback."""


class AnalysisError(Exception):
    """A problem the user can fix (missing file, bad parameter): one clear sentence, no personal data."""
