"""The four raw files as their source systems would export them, with planted dirt and the truth
of every row: the Dinas UMKM registry, the rosters, the BPJS participant extract, the survey.

Each `*_file` renders the text of a `World`, plants the dirt of its file at the rates of `DIRT`
and returns the `RawFile`; the draws happen in a fixed order (the seed's stream is the data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.dirt import (
    DIRT,
    SPLIT_PARENT,
    UNMATCHED,
    Edit,
    RawFile,
    broken_niks,
    case,
    excel_mangled,
    kelurahan_typos,
    outside_names,
    place_key,
    prefixed,
    scientific,
    spaced,
    spaced_or_float_niks,
)
from analysis.demo.words import BUSINESS_WORDS, STREETS, fmt_amounts, fmt_dates, fmt_months, pick
from analysis.demo.world import REASONS, World

#: How registry clerks and respondents write each sector.
SECTOR_TEXT = {
    "kuliner": ["Kuliner", "Makanan & Minuman", "makanan dan minuman", "KULINER", "Warung Makan"],
    "perdagangan": ["Perdagangan", "Toko Kelontong", "perdagangan eceran", "Dagang"],
    "fesyen": ["Fesyen", "Batik", "Konveksi", "Fashion", "batik tulis"],
    "jasa": [
        "Jasa",
        "Servis Elektronik",
        "Salon",
        "Laundry",
        "jasa",
    ],  # a bengkel is KBLI 45: lainnya
    "kerajinan": ["Kerajinan", "Kerajinan Tangan", "Mebel"],
    "industri": ["Industri Pengolahan", "Produksi", "industri rumah tangga"],
    "transportasi": ["Transportasi", "Ojek", "Jasa Angkutan", "Kurir"],
}
#: The first word of a business name by sector ('Warung Barokah').
SECTOR_PREFIX = {
    "kuliner": "Warung",
    "perdagangan": "Toko",
    "fesyen": "Batik",
    "jasa": "Jasa",
    "kerajinan": "Kerajinan",
    "industri": "UD",
    "transportasi": "Angkutan",
}


# ---------------------------------------------------------------- umkm (the Dinas registry)


def umkm_file(world: World, rng: np.random.Generator) -> RawFile:
    """The business registry: kelurahan as typed, then quarantine-worthy rows, NIKs as number
    cells, a repeated id and exact duplicate rows."""
    D, B = DIRT["umkm"], len(world.biz)
    kel, pre_split, typo = _umkm_kelurahan(world, rng)
    f = RawFile("umkm", _umkm_text(world, rng, kel), _umkm_truth(world.biz, pre_split, typo), rng)
    outside = outside_names(world.gazetteer, [place_key(n) for n in world.units["kelurahan"]])

    def place_outside(t: pd.DataFrame, p: np.ndarray) -> None:
        """A desa next to the city; its kecamatan given in every other row."""
        chosen = [outside[i] for i in rng.integers(0, len(outside), len(p))]
        t.loc[p, "Kelurahan"] = [n for n, _ in chosen]
        t.loc[p, "Kecamatan"] = [kc if j % 2 else "" for j, (_, kc) in enumerate(chosen)]

    def ambiguous(t: pd.DataFrame, p: np.ndarray) -> None:
        """Names two kelurahan share (Kepatihan), or one with a kecamatan that is not its own."""
        t.loc[p[::2], ["Kelurahan", "Kecamatan"]] = ["Kepatihan", ""]
        t.loc[p[1::2], ["Kelurahan", "Kecamatan"]] = ["Kauman", "Jebres"]

    future = (world.end + pd.DateOffset(months=3)).strftime("%d/%m/%Y")
    f.plant_values("kelurahan_unmatched", "kelurahan is not a place", "Kelurahan", UNMATCHED)
    f.plant("outside_region", "kelurahan outside the city", place_outside)
    f.plant("kelurahan_ambiguous", "kelurahan could be two", ambiguous)
    f.plant_values(
        "bad_number", "worker count not a number", "Jml Tenaga Kerja", ["lima", "3-4", "±2"]
    )
    f.plant_values(
        "bad_value", "worker count out of range", "Jml Tenaga Kerja", ["0", "-2", "150", "10000"]
    )
    f.plant_values(
        "bad_date",
        "registration date unreadable or in the future",
        "Tgl Daftar",
        ["31-02-2020", "kemarin", future],
    )
    f.plant_values("missing_required", "kelurahan empty", "Kelurahan", "")
    f.text["NIK Pemilik"] = f.text["NIK Pemilik"].astype(object)
    as_number = f.choose(D["nik_number_cell"], np.ones(B, dtype=bool))
    f.text.loc[as_number, "NIK Pemilik"] = f.text.loc[as_number, "NIK Pemilik"].astype(
        float
    )  # a number cell: 15 digits kept
    f.duplicate_keys("same id_umkm twice", "Omzet Tahunan (Rp)", "Rp 999.000.000")
    f.exact_duplicates()
    return f


def _umkm_kelurahan(
    world: World, rng: np.random.Generator
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The kelurahan as the Dinas typed it, with (pre-split, typo) masks: the old name for
    businesses registered before the 2019 splits (never guessed), aliases, typos, case,
    prefixes and spaces."""
    biz, D, B = world.biz, DIRT["umkm"], len(world.biz)
    pre_split = (
        biz["kode_kelurahan"].isin(list(SPLIT_PARENT)).to_numpy()
        & (biz["tanggal_daftar"] < "2019-01-01").to_numpy()
    )
    kel = biz["kelurahan"].where(~pre_split, biz["kode_kelurahan"].map(SPLIT_PARENT))
    alias = biz["aliases"].fillna("").ne("") & (rng.random(B) < D["kelurahan_alias"]) & ~pre_split
    kel[alias] = biz["aliases"][alias].str.split("|").str[0]
    slips = kelurahan_typos(world.units, world.gazetteer)
    typo = (
        (rng.random(B) < D["kelurahan_typo"])
        & ~alias.to_numpy()
        & ~pre_split
        & biz["kelurahan"].map(slips).map(bool).to_numpy()
    )
    kel[typo] = [slips[n][rng.integers(len(slips[n]))] for n in biz["kelurahan"][typo]]
    kel = case(rng, kel, D["kelurahan_case"])
    kel = prefixed(rng, kel, D["kelurahan_prefix"])
    return spaced(rng, kel, D["kelurahan_spacing"]), pre_split, typo


def _umkm_text(world: World, rng: np.random.Generator, kel: pd.Series) -> pd.DataFrame:
    """The registry's columns as exported: kecamatan sometimes missing or prefixed, counts
    sometimes with 'orang', sectors in the clerks' words, formatted turnover and dates."""
    biz, B = world.biz, len(world.biz)
    kec = biz["kecamatan"].where(rng.random(B) < 0.7, "")
    kec = kec.where((rng.random(B) > 0.1) | kec.eq(""), "Kec. " + kec)
    n_text = pd.Series(biz["jumlah_tenaga_kerja"].astype(str), dtype=object)
    orang = rng.random(B) < DIRT["umkm"]["workers_text"]
    n_text[orang] = n_text[orang] + " orang"
    sector_text = [
        SECTOR_TEXT[s][i % len(SECTOR_TEXT[s])]
        for i, s in zip(rng.integers(0, 5, B), biz["sektor"], strict=True)
    ]
    return pd.DataFrame(
        {
            "No": np.arange(1, B + 1),
            "ID UMKM": biz["id_umkm"],
            "NIB": (rng.integers(10**12, 10**13 - 1, B)).astype(str),
            "Nama Usaha": biz["sektor"].map(SECTOR_PREFIX) + " " + pick(rng, BUSINESS_WORDS, B),
            "Nama Pemilik": biz["nama_pemilik"],
            "NIK Pemilik": biz["nik_pemilik"].astype(object),
            "Alamat": "Jl. "
            + pick(rng, STREETS, B)
            + " No. "
            + rng.integers(1, 250, B).astype(str),
            "Kelurahan": kel,
            "Kecamatan": kec,
            "Sektor Usaha": sector_text,
            "Jml Tenaga Kerja": n_text,
            "Omzet Tahunan (Rp)": fmt_amounts(rng, biz["omzet"]),
            "Tgl Daftar": fmt_dates(rng, biz["tanggal_daftar"], False),
        }
    )


def _umkm_truth(biz: pd.DataFrame, pre_split: np.ndarray, typo: np.ndarray) -> pd.DataFrame:
    """What the cleaning must conclude for each business before any row is damaged."""
    return pd.DataFrame(
        {
            "expected": np.where(pre_split, "kelurahan_ambiguous", "clean"),
            "kode_kelurahan": biz["kode_kelurahan"].where(~pre_split, None),
            "dirt": np.where(
                pre_split,
                "registered before the 2019 kelurahan split",
                np.where(typo, "kelurahan typo", ""),
            ),
            "id_umkm": biz["id_umkm"],
        }
    )


# ---------------------------------------------------------------- tenaga_kerja (the rosters)


def roster_file(world: World, rng: np.random.Generator, clean_ids: set[str]) -> RawFile:
    """The rosters: damaged NIKs, dates, incomes and business ids, the same person on a second
    roster, exact duplicate rows. Workers of quarantined businesses are expected out too."""
    wk, D = world.workers, DIRT["tenaga_kerja"]
    biz_ok = wk["id_umkm"].isin(clean_ids).to_numpy()
    biz_kel = world.biz.set_index("id_umkm")["kode_kelurahan"]
    truth = pd.DataFrame(
        {
            "expected": np.where(biz_ok, "clean", "business_quarantined"),
            "kode_kelurahan": wk["id_umkm"].map(biz_kel).where(biz_ok, None),
            "dirt": "",
            "nik": wk["nik"],
        }
    )
    f = RawFile("tenaga_kerja", _roster_text(wk, rng), truth, rng)
    true_nik = wk["nik"].to_numpy()

    def mangle(t: pd.DataFrame, p: np.ndarray) -> None:
        """The NIK as Excel leaves it."""
        t.loc[p, "NIK"] = excel_mangled(true_nik[p])

    def invalid(t: pd.DataFrame, p: np.ndarray) -> None:
        """A NIK that breaks the NIK rules."""
        t.loc[p, "NIK"] = broken_niks(true_nik[p])

    unknown = [f"UMKM-9{i:0{world.width}d}" for i in range(50)]
    f.plant_values("missing_required", "NIK empty", "NIK", "")
    f.plant("nik_excel_mangled", "NIK damaged by Excel", mangle)
    f.plant("nik_invalid", "NIK breaks the NIK rules", invalid)
    f.plant_values(
        "bad_date",
        "birth date unreadable",
        "Tgl Lahir",
        ["31/02/1990", "tidak ingat", "1990-13-01"],
    )
    f.plant_values(
        "bad_number", "income not a number", "Penghasilan Bulanan", ["dua juta", "±2jt", "Rp ?"]
    )
    f.plant_values("unknown_business", "business not in the registry", "ID UMKM", unknown)
    clean_rows = np.flatnonzero(f.truth["expected"].eq("clean").to_numpy())
    moved = rng.choice(clean_rows, size=len(clean_rows))

    def second_roster(copy: pd.DataFrame) -> None:
        """The same person on another business's roster, name in capitals."""
        copy["ID UMKM"] = f.text["ID UMKM"].to_numpy()[moved[: len(copy)]]
        copy["Nama"] = copy["Nama"].str.upper()

    f.insert(
        f.choose(D["duplicate_person"]),
        "duplicate_person",
        "same person on a second roster",
        second_roster,
    )
    f.exact_duplicates()
    return f


def _roster_text(wk: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The roster columns as employers type them: NIKs with spaces or as floats, sex written
    several ways, formatted birth dates and incomes."""
    D, W = DIRT["tenaga_kerja"], len(wk)
    nik = spaced_or_float_niks(
        rng, pd.Series(wk["nik"], dtype=object), D["nik_spaces"], D["nik_float"]
    )
    sex = np.where(
        wk["female"],
        pick(rng, ["P", "Perempuan", "p", "P"], W),
        pick(rng, ["L", "Laki-laki", "l", "L"], W),
    )
    return pd.DataFrame(
        {
            "ID UMKM": wk["id_umkm"],
            "NIK": nik,
            "Nama": wk["nama"],
            "JK": sex,
            "Tgl Lahir": fmt_dates(rng, wk["birth"]),
            "Penghasilan Bulanan": fmt_amounts(rng, wk["income"]),
        }
    )


# ---------------------------------------------------------------- peserta_bpjstk (the extract)


def participant_file(world: World, rng: np.random.Generator) -> RawFile:
    """The BPJS-style participant extract: empty, mangled or invalid NIKs, unknown codes,
    unreadable months and future joining days, wages not a number, exact duplicates."""
    rec = world.records
    truth = pd.DataFrame(
        {
            "expected": "clean",
            "kode_kelurahan": None,
            "dirt": "",
            "nik": rec["nik"],
            "record_status": rec["status"],
            "record_effective": rec["effective"],
        }
    )
    f = RawFile("peserta_bpjstk", participant_text(rec, rng), truth, rng)
    true_nik = pd.Series(rec["nik"].to_numpy())

    def missing(t: pd.DataFrame, p: np.ndarray) -> None:
        """NIK empty in every other row, status in the rest."""
        t.loc[p[::2], "NIK"] = ""
        t.loc[p[1::2], "STATUS"] = ""

    def nik_as(damaged: pd.Series) -> Edit:
        """An edit putting the damaged form of each picked row's NIK in its place."""
        return lambda t, p: t.__setitem__(
            "NIK", t["NIK"].where(~np.isin(np.arange(len(t)), p), damaged)
        )

    def bad_value(t: pd.DataFrame, p: np.ndarray) -> None:
        """An unknown status, segment or programme, in turn."""
        t.loc[p[0::3], "STATUS"] = "DIBLOKIR"
        t.loc[p[1::3], "SEGMEN"] = "PNS"
        t.loc[p[2::3], "PROGRAM"] = "JKK;JKN"

    def bad_date(t: pd.DataFrame, p: np.ndarray) -> None:
        """An unreadable last month paid, or a joining day after the period."""
        t.loc[p[::2], "BLN IURAN TERAKHIR"] = pick(rng, ["13/2026", "bulan lalu"], len(p[::2]))
        t.loc[p[1::2], "TGL KEPESERTAAN"] = (world.end + pd.DateOffset(months=2)).strftime(
            "%d-%m-%Y"
        )

    f.plant("missing_required", "NIK or status empty", missing)
    f.plant(
        "nik_excel_mangled",
        "NIK in scientific notation",
        nik_as(true_nik.map(scientific)),
    )
    f.plant("nik_invalid", "NIK serial 0000", nik_as(true_nik.str[:12] + "0000"))
    f.plant("bad_value", "unknown status, segment or programme", bad_value)
    f.plant("bad_date", "month unreadable or joining date in the future", bad_date)
    f.plant_values("bad_number", "wage not a number", "UPAH", "Rp ???")
    f.exact_duplicates()
    return f


def participant_text(rec: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The extract's columns: names in capitals, segments, programmes and statuses written
    several ways, formatted wages, joining days and last months paid."""
    R = len(rec)
    sep = pick(rng, [";", ", ", "/", " + "], R)
    return pd.DataFrame(
        {
            "KPJ": rec["kpj"],
            "NIK": rec["nik"].astype(object),
            "NAMA": rec["nama"].str.upper(),
            "SEGMEN": np.where(
                rec["segmen"] == "PU",
                pick(rng, ["PU", "Penerima Upah", "pu"], R),
                pick(rng, ["BPU", "Bukan Penerima Upah", "bpu"], R),
            ),
            "PROGRAM": [s.join(p.split(";")) for s, p in zip(sep, rec["program"], strict=True)],
            "UPAH": fmt_amounts(rng, rec["upah"]),
            "TGL KEPESERTAAN": fmt_dates(rng, rec["joined"]),
            "STATUS": np.where(
                rec["status"] == "AKTIF",
                pick(rng, ["AKTIF", "Aktif", "aktif"], R),
                pick(rng, ["NONAKTIF", "Non Aktif", "non-aktif", "TIDAK AKTIF"], R),
            ),
            "BLN IURAN TERAKHIR": fmt_months(rng, rec["paid"]),
        }
    )


# ---------------------------------------------------------------- survei_kesadaran (the survey)


def survey_file(world: World, rng: np.random.Generator) -> RawFile:
    """The awareness survey: empty or impossible answers, places that are not or are outside
    the city, willingness to pay not a number, a repeated respondent id, exact duplicates."""
    sv = world.survey
    truth = pd.DataFrame({"expected": "clean", "kode_kelurahan": sv["kode_kelurahan"], "dirt": ""})
    f = RawFile("survei_kesadaran", _survey_text(world, rng), truth, rng)
    region_keys = [place_key(n) for n in world.units["kelurahan"]]
    outside = [n for n, _ in outside_names(world.gazetteer, region_keys)]

    def bad_value(t: pd.DataFrame, p: np.ndarray) -> None:
        """'mungkin' for yes/no, weight 0 or an unknown role, in turn."""
        t.loc[p[0::3], "Tahu BPJS Ketenagakerjaan"] = "mungkin"
        t.loc[p[1::3], "Bobot"] = "0"
        t.loc[p[2::3], "Peran"] = "mahasiswa"

    f.plant_values("missing_required", "awareness answer empty", "Tahu BPJS Ketenagakerjaan", "")
    f.plant("bad_value", "not yes/no, weight 0 or unknown role", bad_value)
    f.plant_values("kelurahan_unmatched", "kelurahan is not a place", "Kelurahan", ["Solo", "xxx"])
    f.plant_values("outside_region", "kelurahan outside the city", "Kelurahan", outside)
    f.plant_values(
        "bad_number",
        "willingness to pay not a number",
        "Kesediaan Bayar",
        ["terserah", "seikhlasnya"],
    )
    f.duplicate_keys("same respondent id twice", "Penghasilan", "Rp 1.234.000")
    f.exact_duplicates()
    return f


def _yes_no(rng: np.random.Generator, answers: pd.Series) -> np.ndarray:
    """Yes/no answers written several ways ('Ya', 'Y', '1' …; 'Tidak', 'T', '0' …)."""
    n = len(answers)
    return np.where(
        answers,
        pick(rng, ["Ya", "Y", "1", "ya", "YA"], n),
        pick(rng, ["Tidak", "T", "0", "tidak", "TIDAK"], n),
    )


def _survey_text(world: World, rng: np.random.Generator) -> pd.DataFrame:
    """The survey's columns as entered: benefits listed with varying separators, reasons in the
    respondents' words, yes/no several ways, formatted amounts and dates."""
    sv, S = world.survey, len(world.survey)
    seps = pick(rng, [";", ", ", "/"], S)
    benefits = [
        s.join(b for b in ("JKK", "JKM", "JHT") if row[f"knows_{b}"])
        for s, (_, row) in zip(seps, sv.iterrows(), strict=True)
    ]
    benefits = [b or ("tidak tahu" if i % 2 else "") for i, b in enumerate(benefits)]
    reasons = [REASONS[r][i % len(REASONS[r])] for i, r in enumerate(sv["reason"])]
    kelurahan = sv["kode_kelurahan"].map(world.units.set_index("kode_kelurahan")["kelurahan"])
    return pd.DataFrame(
        {
            "ID Responden": [f"R-{i:05d}" for i in range(1, S + 1)],
            "Tanggal": fmt_dates(rng, sv["day"], False),
            "Kelurahan": case(rng, kelurahan, 0.2),
            "Sektor": [SECTOR_TEXT[s][0] for s in sv["sektor"]],
            "Peran": np.where(
                sv["owner"],
                pick(rng, ["Pemilik", "pemilik usaha"], S),
                pick(rng, ["Pekerja", "karyawan"], S),
            ),
            "Tahu BPJS Kesehatan": _yes_no(rng, sv["tahu_kes"]),
            "Tahu BPJS Ketenagakerjaan": _yes_no(rng, sv["tahu_tk"]),
            "Manfaat yang diketahui": benefits,
            "Terdaftar": _yes_no(rng, sv["enrolled"]),
            "Alasan tidak daftar": np.where(sv["enrolled"], "", reasons),
            "Kesediaan Bayar": fmt_amounts(rng, sv["wtp"]),
            "Penghasilan": fmt_amounts(rng, sv["income"]),
            "Bobot": sv["weight"].astype(str),
        }
    )
