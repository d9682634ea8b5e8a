"""One language in JupyterLab: show only the chosen language's narrative, in the cells and the
table of contents (`python -m analysis lab-lang en|id|off`, `make lab-lang LAB_LANG=en`).

Every narrative cell is tagged `lang-id` or `lang-en`. JupyterLab hides a cell's content when
its metadata says `jupyter.source_hidden`, but its table of contents still lists the headings of
every markdown cell; it lists none of a *raw* cell's. So the other language's cells become raw
cells with `source_hidden` (a one-line bar stays where they are), and the chosen language's are
markdown. `off` makes every narrative cell markdown again, and switching back and forth gives
the same file byte for byte: ids, sources, outputs and other metadata are not touched.

The notebooks are committed in Indonesian (`COMMITTED`); the report turns every narrative cell
back into markdown before it exports a page (`show_all`), so nothing here reaches a page.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import AnalysisError
from analysis.pages.text import LANGS
from analysis.paths import NOTEBOOKS_DIR

#: The language the notebooks are committed in (tests/test_project.py checks it).
COMMITTED = "id"
CHOICES = (*LANGS, "off")
_TAGS = {f"lang-{lang}": lang for lang in LANGS}


def cell_lang(cell) -> str | None:
    """The language a narrative cell is written in (its `lang-*` tag), or None."""
    return next((_TAGS[t] for t in cell.get("metadata", {}).get("tags", []) if t in _TAGS), None)


def set_lang(nb, lang: str) -> int:
    """Show `lang`'s narrative cells and hide the other language's ('off': show both) in a
    notebook node; how many cells changed."""
    if lang not in CHOICES:
        raise AnalysisError(
            f"The notebook language must be one of id, en, off, not {lang!r}.",
            "err_lab_lang",
            value=repr(lang),
        )
    changed = 0
    for cell in nb.cells:
        own = cell_lang(cell)
        if own is None:
            continue
        hide = lang != "off" and own != lang
        meta = cell.metadata
        before = (cell.cell_type, meta.get("jupyter", {}).get("source_hidden", False))
        cell.cell_type = "raw" if hide else "markdown"
        jupyter = dict(meta.get("jupyter", {}))
        if hide:
            jupyter["source_hidden"] = True
        else:
            jupyter.pop("source_hidden", None)
        if jupyter:
            meta["jupyter"] = jupyter
        else:
            meta.pop("jupyter", None)
        changed += before != (cell.cell_type, hide)
    return changed


def show_all(nb):
    """The notebook node with every narrative cell as markdown (before export: raw cells would
    otherwise be printed as plain text on the page)."""
    set_lang(nb, "off")
    return nb


def switch(lang: str, paths: list[Path] | None = None) -> dict[Path, int]:
    """Set the language of notebooks on disk (default: every notebook in notebooks/); cells
    changed per notebook. Files that need no change are not rewritten."""
    import nbformat  # lazy: the CLI starts without Jupyter

    changed = {}
    for path in paths or sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        if not Path(path).is_file():
            raise AnalysisError(f"There is no notebook {path}.", "err_no_notebook", path=str(path))
        nb = nbformat.read(path, as_version=4)
        changed[Path(path)] = set_lang(nb, lang)
        if changed[Path(path)]:
            nbformat.validate(nb)
            nbformat.write(nb, path)
    return changed
