"""SHA-256 of the demo months `make report` generates: the only data cleaned with the public demo key.

`python -m analysis demo-data --period P` (seed 2019, 3,000 businesses) writes these exact bytes
for the four months below (tests/demo/test_demo_hashes.py regenerates them and compares). A raw
folder is demo data only if its recognised extracts are exactly one of these sets (see
`analysis.ingest.pseudonyms.is_untouched_demo`): the decision rests on hashes in the code, never
on a file beside the data, so an edited file (or an edited hash list) gets the real-data rules.
A change of the generator (or of the libraries that write XLSX) that changes these bytes must
update this table in the same commit.
"""

#: (seed, businesses) of the demo months below.
DEMO_SEED, DEMO_BUSINESSES = 2019, 3000

DEMO_MONTHS: dict[str, dict[str, str]] = {
    "2026-07": {
        "peserta_bpjstk.csv": "e4a9d93abc9afcb0076e557ec522b9bb03ca8713c9fe0f11ee7c3e0ac180f39f",
        "survei_kesadaran.csv": "46a80064b192b91b0cbf2d999907a834357072be63c206b6978892718ae67dc6",
        "tenaga_kerja.csv": "40220f9dc026204936ce020ad6408ac4596cded0f33d933880ee288efab26b85",
        "umkm.xlsx": "137099a01a514f0c7c541b32cb97fa8ac2a679d05bfee2380e78c15180c16082",
    },
    "2026-08": {
        "peserta_bpjstk.csv": "5958b8897d796bc5f1acffc4955fd7de68425b771415563e08fad0c761244b4b",
        "survei_kesadaran.csv": "9b8719827062a8f6b2f139b11e5d75763ef36618639069d8ae19671a21a42492",
        "tenaga_kerja.csv": "3463f1e19d40a9da50289b2b1da0547260f0640e669d8a4b86e0ed08b8e323b4",
        "umkm.xlsx": "1f7298a63f24675e393cefce4f82ad5fa295970f9e1d934172160086d7b982bd",
    },
    "2026-09": {
        "peserta_bpjstk.csv": "9727e42780fbb995547a5833ddcdd3979c54006c516e8cf73fc0fda78305419a",
        "survei_kesadaran.csv": "9097f7d6f95664edf169eb4f37093a5d507d9073bfa2b54979d4797df01b84f9",
        "tenaga_kerja.csv": "de1b5660e2ae5522f267c56e1768c7871664e65b0b1a8451d9dddd83d31451de",
        "umkm.xlsx": "55600aea050a5e5ec1579f62a4f800c4a82053156d42f6ef1e0a857cc8dfbcff",
    },
    "2026-10": {
        "peserta_bpjstk.csv": "250c76c0274da4479011f9b977d7e77479b77c9db6ac0fb4ed366db663d47983",
        "survei_kesadaran.csv": "5ce7c9c5411595ef7abeb4f7b47a6b1f1b9f214c0103c122e239728e643c5145",
        "tenaga_kerja.csv": "21505c39e0b900231ce36bea0b664c45ab656a484a8e4546d182e1159f1c2a87",
        "umkm.xlsx": "d37d6c1b5c98fd811e0897f15303edd938dc97c3bd0199e07937f6771037ccea",
    },
}
