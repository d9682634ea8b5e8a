"""The privacy scanner's normaliser: a corpus of disguised NIKs and names, each one caught, and
ordinary report content (digests, images, timestamps, numbers, place names) never flagged."""

import base64
import hashlib

import numpy as np
import pytest

from analysis.ingest.scan import (
    Secrets,
    _secrets,
    nik_candidates,
    nik_valid,
    normalise,
    readable,
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
