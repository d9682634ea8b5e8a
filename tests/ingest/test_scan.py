"""The privacy scanner's normaliser: a corpus of disguised NIKs and names, each one caught, and
ordinary report content (digests, images, timestamps, numbers, place names) never flagged."""

import base64
import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.keys import all_hex64
from analysis.ingest.scan import (
    Secrets,
    _secrets,
    nik_candidates,
    nik_valid,
    normalise,
    readable,
    scan_parquet,
    scan_text,
)

NIK = "3372014508850003"  # Surakarta, woman born 5 Aug 1985, serial 3
NAME = "Budi Santoso"
SECRETS = _secrets(
    np.array([int(NIK)]),
    {NAME, "Warung Santoso Jaya", "Jl. Sam Ratulangi No. 224", "Laweyan", "Sri"},
    ["Laweyan", "Pasar Kliwon"],
)


def entities(text, fmt="&#{};"):
    return "".join(fmt.format(ord(c)) for c in text)


EVASIONS = {
    "plain": NIK,
    "spaces": "3372 0145 0885 0003",
    "dashes": "3372-0145-0885-0003",
    "dots": "33.72.01.450885.0003",
    "slashes": "3372/0145/0885/0003",
    "en dashes": "3372–0145–0885–0003",
    "no-break spaces": "3372\u00a00145\u00a00885\u00a00003",
    "narrow no-break spaces": "3372\u202f0145\u202f0885\u202f0003",
    "zero-width spaces": "3372\u200b0145\u200b0885\u200b0003",
    "zero-width joiners": "3\u200d372\u200c0145\u20600885\ufeff0003",
    "soft hyphens": "3372\u00ad0145\u00ad0885\u00ad0003",
    "one digit at a time": " ".join(NIK),
    "a letter right before": "NIK" + NIK,
    "letters around": "noKTP" + NIK + "x",
    "inside a longer digit run": "00" + NIK + "99",
    "after other digits, spaced": "12 3372 0145 0885 0003",
    "decimal entities": entities(NIK),
    "hex entities": entities(NIK, "&#x{:x};"),
    "entities twice encoded": entities(NIK).replace("&", "&amp;"),
    "full-width digits": NIK.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "split over table cells": (
        "<table><tr><td>3372</td><td>0145</td><td>0885</td><td>0003</td></tr></table>"
    ),
    "split over cells with markup": (
        "<table><tr><td><b>33</b></td><td>72</td><td>014508</td><td>850003</td></tr></table>"
    ),
    "after data:…;base64, in text": "data:a/b;base64," + NIK,
    "base64-looking image src outside an img": '<a href="data:image/png;base64,' + NIK + '">',
    "in a JSON string": '{"id": "' + NIK + '"}',
    "in a CSV download link, percent-encoded": (
        '<a download="x.csv" href="data:text/csv;charset=utf-8,nik%0A3372%200145%200885%200003">'
    ),
    "in a CSV download link, base64": (
        '<a href="data:text/csv;base64,'
        + base64.b64encode(b"nik\n3372-0145-0885-0003\n").decode()
        + '">'
    ),
    "prefixed and spaced": "NIK 3404 0206 0596 0026".replace(
        "3404 0206 0596 0026", "3372 0145 0885 0003"
    ),
}


@pytest.mark.parametrize("text", EVASIONS.values(), ids=EVASIONS.keys())
def test_every_disguised_nik_is_caught(text):
    found = scan_text(readable(text, ".html"), SECRETS)
    assert found.get("nik_shaped") and found.get("raw_nik"), found


NAMES = {
    "upper case": "BUDI SANTOSO",
    "full-width letters": "ＢＵＤＩ ＳＡＮＴＯＳＯ",
    "precomposed accents": "Búdi Sántoso",
    "combining accents": "Bu\u0301di Santo\u0301so",
    "run together": "BudiSantoso",
    "run together, lower case": "budisantoso",
    "an entity inside": "&#66;udi Santoso",
    "zero-width inside": "Bu\u200bdi San\u200btoso",
    "over two lines": "Budi\nSantoso",
    "between tags": "<td>Budi</td> <td>Santoso</td>",
    "with punctuation": "Budi, Santoso.",
    "a business name": "Warung Santoso Jaya",
    "an address": "Jl. Sam Ratulangi No. 224",
    "in a CSV download link": '<a href="data:text/csv,nama%0ABudi%20Santoso%2Cx">',
}


@pytest.mark.parametrize("text", NAMES.values(), ids=NAMES.keys())
def test_every_disguised_name_is_caught(text):
    assert scan_text(readable(text, ".html"), SECRETS).get("raw_name"), text


def test_a_nik_inside_a_real_embedded_image_is_not_text():
    png = base64.b64encode(b"\x89PNG" + bytes(range(256)) * 50 + NIK.encode()).decode()
    page = f'<p>Peta</p><img src="data:image/png;base64,{png}" alt="peta">'
    assert scan_text(readable(page, ".html"), SECRETS) == {}


ORDINARY = {
    "sha-256 and md5 digests": hashlib.sha256(b"x").hexdigest()
    + " "
    + hashlib.md5(b"y").hexdigest(),
    "a hex string with a long digit run": "ab" + "1234567890123456" + "cd" + "0" * 60,
    "iso timestamps": "2026-11-30T12:08:00.123456+00:00 2026-11-30 12:08:00.123456",
    "money and shares": "Rp1.234.567.890 · 44,2% · Rp3,2 miliar · 12.345 pekerja",
    "kemendagri codes": "33.72.01.1001 33.72.05.1011",
    "a date and a time": "2026-11-30 12:08:00.123456",
    "a numeric table row": "<table><tr><td>1.234</td><td>567</td><td>667</td><td>45,9%</td></tr></table>",
    "a price beside a yearly amount": (
        "<table><tr><td>528</td><td>5228</td><td>365396</td><td>1910132549</td></tr></table>"
    ),
    "a json array": "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]",
    "short and public words": "Agustus Sri Lestari di Laweyan dan Pasar Kliwon",
    "a kpj-like number": "71383812366",
    "fifteen digits": "337201450885000",
}


@pytest.mark.parametrize("text", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_report_content_is_not_flagged(text):
    assert scan_text(readable(text, ".html"), SECRETS) == {}, text


def test_a_download_is_read_cell_by_cell():
    """A CSV download is a table: a row of counts whose digits add up to sixteen is not a NIK
    (the demo month's rows-per-file table was one), but a NIK in a cell, or split over cells,
    still is."""
    counts = "Berkas,Baris,Bersih,Karantina,Duplikat,%\nRegistri UMKM,3036,2832,174,30,93.3\n"
    assert scan_text(readable(counts, ".csv"), SECRETS) == {}
    rates = "Kecamatan,Pekerja,Efektif,Belum,%,Lalu,Poin\nLaweyan,1201,1315,114,8.7,7.7,1\n"
    assert scan_text(readable(rates, ".csv"), SECRETS) == {}  # a valid NIK, read across cells
    split = "a,b,c,d\n" + ",".join([NIK[:4], NIK[4:8], NIK[8:12], NIK[12:]]) + "\n"
    whole = f"Kelurahan,Catatan\nMojo,NIK {NIK}\n"
    dotted = "a,b\n" + ",".join([f"{NIK[:4]}.{NIK[4:8]}", f"{NIK[8:12]}.{NIK[12:]}"]) + "\n"
    for text in (split, whole, dotted):
        assert scan_text(readable(text, ".csv"), SECRETS) == {"nik_shaped": 1, "raw_nik": 1}


def test_normalise_undoes_entities_widths_and_invisible_characters():
    assert normalise("&amp;#51;\u200b３") == "33"
    assert nik_valid(NIK) and not nik_valid("0000000000000000")
    assert nik_candidates("3372014508850000") == ["3372014508850000"]  # shaped, even if invalid


def test_a_notebook_is_read_without_its_images():
    import json

    image = base64.b64encode(NIK.encode() * 3).decode()
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "x",
                "outputs": [
                    {"output_type": "display_data", "data": {"image/png": image}},
                    {"output_type": "stream", "name": "stdout", "text": "Budi  Santoso"},
                ],
            }
        ]
    }
    found = scan_text(readable(json.dumps(nb), ".ipynb"), SECRETS)
    assert found == {"raw_name": 1}


def test_place_names_and_short_single_words_are_not_secrets():
    assert "laweyan" not in SECRETS.names and "sri" not in SECRETS.names
    assert isinstance(Secrets().niks, np.ndarray)


# ------------------------------------------------------------------ parquet files, looked at in Arrow

EVERY_DISGUISE = [*EVASIONS.values(), *NAMES.values(), *ORDINARY.values()]


def _one_by_one(values, secrets=SECRETS) -> dict[str, int]:
    """The reference: every distinct value normalised and scanned on its own, in Python."""
    found: dict[str, int] = {}
    for value in {v for v in values if v is not None}:
        for kind, n in scan_text(normalise(value), secrets).items():
            found[kind] = found.get(kind, 0) + n
    return found


@pytest.mark.parametrize("value", EVERY_DISGUISE)
def test_a_parquet_cell_is_read_as_its_text_would_be(tmp_path, value):
    """Every disguise of the corpus, alone in a cell (with a hundred ordinary ids around it),
    is found in a parquet file exactly as in its text; ordinary content stays unflagged."""
    path = tmp_path / "t.parquet"
    ids = [f"UMKM-{i:06d}" for i in range(100)]
    pd.DataFrame({"id_umkm": ids, "catatan": [value] + ids[1:]}).to_parquet(path)
    assert scan_parquet(path, SECRETS) == _one_by_one([value, *ids])


_TEXT = st.text(
    st.sampled_from(list("0123456789 -./&<>;#xBudiSantoWrgJy,") + ["\u200b", "３", "é"]),
    max_size=40,
)


_CELLS = st.lists(st.one_of(st.none(), _TEXT, st.sampled_from(EVERY_DISGUISE)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(values=_CELLS, group=st.integers(1, 5))
def test_parquet_scan_equals_scanning_each_value(tmp_path_factory, values, group):
    """Whatever the cells hold, the Arrow path finds what scanning each distinct value does,
    however the rows fall into row groups (a value repeated in two groups is one value)."""
    path = tmp_path_factory.mktemp("scan") / "t.parquet"
    pd.DataFrame({"x": pd.Series(values, dtype=object)}).to_parquet(path, row_group_size=group)
    assert scan_parquet(path, SECRETS) == _one_by_one(values)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.sampled_from(["33.72.01.1001", "Jebres", None, *EVERY_DISGUISE]), max_size=40
    ),
    group=st.integers(1, 40),
    dictionary=st.booleans(),
)
def test_few_valued_columns_read_as_their_dictionary_find_the_same(
    tmp_path_factory, values, group, dictionary
):
    """A column of few distinct values (codes, sectors) is read as its dictionary: what is found
    is what reading every value finds, and what scanning each distinct value does, whether or
    not the writer stored a dictionary."""
    import analysis.ingest.scan as scan

    path = tmp_path_factory.mktemp("few") / "t.parquet"
    frame = pd.DataFrame({"kode": pd.Series(values, dtype=object), "n": range(len(values))})
    frame.to_parquet(path, row_group_size=group, use_dictionary=dictionary)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(scan, "FEW_VALUES_BYTES", 0)  # never as a dictionary
        every_value = scan_parquet(path, SECRETS)
    assert scan_parquet(path, SECRETS) == every_value == _one_by_one(values)


_DIGESTS = st.integers(0, 10**6).map(lambda i: hashlib.sha256(str(i).encode()).hexdigest())


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            _DIGESTS,
            st.just(NIK + "0" * 48),  # shaped like a pseudonym, but holds a NIK
            st.sampled_from(EVERY_DISGUISE),
        ),
        max_size=12,
    ),
    group=st.integers(1, 4),
)
def test_row_groups_side_by_side_find_what_one_after_the_other_does(
    tmp_path_factory, values, group
):
    """Scanning row groups on two threads finds the same kinds, counts and order of kinds as on
    one, with pseudonyms before, between and after other values (a column is skipped only when
    every group is all digests, and then even a NIK in a digest-shaped value is not looked for)."""
    import re

    import analysis.ingest.scan as scan

    path = tmp_path_factory.mktemp("groups") / "t.parquet"
    frame = pd.DataFrame({"nik_hash": pd.Series(values, dtype=object), "n": range(len(values))})
    frame.to_parquet(path, row_group_size=group)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(scan, "GROUP_THREADS", 1)
        alone = scan_parquet(path, SECRETS)
    assert list(scan_parquet(path, SECRETS).items()) == list(alone.items())
    skipped = all(re.fullmatch("[0-9a-f]{64}", v) for v in values)
    assert alone == ({} if skipped else _one_by_one(values))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)))
def test_word_runs_are_the_words_a_name_is_looked_for_in(values):
    """The numpy word runs of plain values are the regex's (and `name_words`'), whatever the
    letters, digits and punctuation, at the start, the end or between two values."""
    import re

    import pyarrow as pa

    from analysis.ingest.scan import name_words, word_runs

    got = word_runs(pa.array(values, pa.string())).to_pylist()
    assert got == [re.sub("[^a-z]+", " ", v.lower()).strip(" ") for v in values]
    assert got == [" ".join(name_words(v)) for v in values]


def test_pseudonym_columns_are_skipped_but_nothing_else(tmp_path):
    digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(5)]
    pd.DataFrame({"nik_hash": digests}).to_parquet(tmp_path / "ok.parquet")
    assert scan_parquet(tmp_path / "ok.parquet", SECRETS) == {}
    # one value that is not a pseudonym makes the column text like any other, even when it
    # comes in a later row group than the digests (the file is read a row group at a time)
    bad = pd.DataFrame({"nik_hash": [*digests, NIK, "Toko Budi Santoso"]})
    bad.to_parquet(tmp_path / "bad.parquet", row_group_size=5)
    found = {"nik_shaped": 1, "raw_nik": 1, "raw_name": 1}
    assert scan_parquet(tmp_path / "bad.parquet", SECRETS) == found
    bad.iloc[::-1].to_parquet(tmp_path / "bad_first.parquet", row_group_size=2)
    assert scan_parquet(tmp_path / "bad_first.parquet", SECRETS) == found


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text("0123456789abcdef", min_size=63, max_size=65),
            st.text("0123456789abcdef", min_size=64, max_size=64).flatmap(
                # bytes next to the hex ranges ('/' ':' '`' 'g'), upper case, multi-byte
                lambda h: st.sampled_from("Ag -\u00e9/:`gF@").map(lambda c: h[:10] + c + h[11:])
            ),
        )
    )
)
def test_all_hex64_agrees_with_the_pattern(values):
    import re

    import pyarrow as pa

    expected = all(re.fullmatch("[0-9a-f]{64}", v) for v in values if v is not None)
    assert all_hex64(pa.chunked_array([pa.array(values, pa.string())])) == expected


@pytest.mark.parametrize("bad", [None, 0, 16_383, 16_384, 19_999])
def test_all_hex64_looks_past_its_first_slice(bad):
    """More than one slice of bytes (1 MB = 16,384 values): a bad value in any slice is seen."""
    import hashlib

    import pyarrow as pa

    values = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(20_000)]
    if bad is not None:
        values[bad] = values[bad][:63] + "g"
    assert all_hex64(pa.array(values, pa.large_string())) is (bad is None)


def test_secrets_are_the_distinct_raw_niks_in_order():
    niks = np.array([3372014508850003, 5, 3372014508850003, 1, 5], dtype="int64")
    assert _secrets(niks, set(), []).niks.tolist() == [1, 5, 3372014508850003]


def test_raw_niks_are_read_only_when_a_nik_shaped_number_is_found(cleaned, demo_dir):
    """A clean run's scan finds no NIK-shaped number, so the raw NIKs are never read; when one
    is found they are, and a raw worker's NIK is told apart from any 16 digits."""
    from analysis.ingest.scan import secrets_from_raw

    from conftest import PERIOD

    raw = demo_dir / "raw" / PERIOD
    secrets = secrets_from_raw(raw, ["Laweyan"])
    assert secrets.niks is None and secrets.names
    assert scan_text(normalise("Laweyan, 12 pekerja, Rp1.234.567"), secrets) == {}
    assert secrets.niks is None
    nik = pd.read_csv(
        raw / "tenaga_kerja.csv", sep=None, engine="python", dtype=str, encoding="latin-1"
    )["NIK"]
    real = next(n for n in nik.dropna() if n.isdigit() and len(n) == 16 and nik_valid(n))
    assert scan_text(real, secrets) == {"nik_shaped": 1, "raw_nik": 1}
    assert scan_text(NIK, secrets) == {"nik_shaped": 1}  # NIK-shaped, but no one's here
    assert len(secrets.niks) > 1000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(max_codepoint=0x300), max_size=6)))
def test_plain_text_is_printable_ascii_without_entities_or_tags(values):
    import re

    import pyarrow as pa

    from analysis.ingest.scan import plain_text

    expected = [re.fullmatch(r"[\x20-\x25\x27-\x3b\x3d-\x7e]*", v) is not None for v in values]
    assert plain_text(pa.array(values, pa.string())).tolist() == expected
