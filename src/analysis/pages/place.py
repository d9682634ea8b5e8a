"""Where a page is about: the line that opens each page of one kabupaten/kota in a regional
report, so that a page forwarded on its own still says which place and which units it shows."""

from __future__ import annotations

from IPython.display import Markdown

from analysis.month import Month
from analysis.pages.text import fmt_int, t
from analysis.reference import region_name

#: Kemendagri codes: the digit after the kecamatan says kelurahan (1) or desa (2).
DESA_DIGIT = "2"


def has_desa(month: Month) -> bool:
    """Whether the month's units include desa (a kabupaten), not only kelurahan (a kota)."""
    return bool(month.units["kode_kelurahan"].str[9].eq(DESA_DIGIT).any())


def area_note(month: Month, lang: str = "id") -> Markdown | None:
    """'Kabupaten Klaten — part of the Soloraya report (401 desa and kelurahan) …', or nothing on
    a page about the whole region the month was cleaned for (Kota Surakarta's own report)."""
    lines = []
    if month.area:
        lines.append(
            t(
                "region_area_note",
                lang,
                place=month.place,
                region=region_name(month.cleaned_for, month.reference_dir),
                units=fmt_int(len(month.units), lang),
            )
        )
    if has_desa(month):
        lines.append(t("region_desa_note", lang))
    return Markdown(" ".join(lines)) if lines else None
