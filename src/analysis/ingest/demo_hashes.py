"""SHA-256 of the demo months `make report` generates: the only data cleaned with the public demo key.

`python -m analysis demo-data --period P` (seed 2019, 3,000 businesses) writes the exact bytes
of `DEMO_MONTHS` for the four months below; `make data` adds the outreach campaign
(`--outreach-effect 2`: an outreach log, and registrations planted after the visits), whose
bytes are `CAMPAIGN_MONTHS` (tests/demo/test_demo_hashes.py regenerates both and compares).
A raw folder is demo data only if its recognised extracts are exactly one of these sets (see
`analysis.ingest.pseudonyms.is_untouched_demo`): the decision rests on hashes in the code, never
on a file beside the data, so an edited file (or an edited hash list) gets the real-data rules.
A change of the generator (or of the libraries that write XLSX) that changes these bytes must
update these tables in the same commit.
"""

#: (seed, businesses) of the demo months below.
DEMO_SEED, DEMO_BUSINESSES = 2019, 3000
#: The planted outreach effect of `make data` (the Makefile's DEMO_OUTREACH).
DEMO_OUTREACH = 2.0

DEMO_MONTHS: dict[str, dict[str, str]] = {
    "2026-07": {
        "peserta_bpjstk.csv": "e4a9d93abc9afcb0076e557ec522b9bb03ca8713c9fe0f11ee7c3e0ac180f39f",
        "survei_kesadaran.csv": "46a80064b192b91b0cbf2d999907a834357072be63c206b6978892718ae67dc6",
        "tenaga_kerja.csv": "c5c099ec82596fe7d874147730390ee3aef0412fdc878c856e7b4f8b4a7999c5",
        "umkm.xlsx": "13bba95e50135881b94a23391f471d5adcd3ad3001fe08c0deb7bc103474626f",
    },
    "2026-08": {
        "peserta_bpjstk.csv": "5958b8897d796bc5f1acffc4955fd7de68425b771415563e08fad0c761244b4b",
        "survei_kesadaran.csv": "9b8719827062a8f6b2f139b11e5d75763ef36618639069d8ae19671a21a42492",
        "tenaga_kerja.csv": "ddabd9b05cb5c8e095d51880f0a8ddbd5a5727aa43149ebf1423a61d5430e190",
        "umkm.xlsx": "f55d21ded03a23845621d827e25abb4ef45894636a4d2a092ba79ba7821feb6a",
    },
    "2026-09": {
        "peserta_bpjstk.csv": "9727e42780fbb995547a5833ddcdd3979c54006c516e8cf73fc0fda78305419a",
        "survei_kesadaran.csv": "9097f7d6f95664edf169eb4f37093a5d507d9073bfa2b54979d4797df01b84f9",
        "tenaga_kerja.csv": "f8afb64d008b02570b80e633814dd0e7d794eb17bccc9461eed53c07fd7c239b",
        "umkm.xlsx": "6178d98d38e5ff2f21add512b9c796fccec6ca693ac0d2cb778f5daf2ef20692",
    },
    "2026-10": {
        "peserta_bpjstk.csv": "250c76c0274da4479011f9b977d7e77479b77c9db6ac0fb4ed366db663d47983",
        "survei_kesadaran.csv": "5ce7c9c5411595ef7abeb4f7b47a6b1f1b9f214c0103c122e239728e643c5145",
        "tenaga_kerja.csv": "e022030143813aa63dedf3759b4caee936cf81c6f126fe4a23bd13388919ad87",
        "umkm.xlsx": "1e69325d9dbb01418b4851c15ab06cf4ec7cbdd6a05ed821ef62afa96360c7d2",
    },
}

CAMPAIGN_MONTHS: dict[str, dict[str, str]] = {
    "2026-07": {
        "peserta_bpjstk.csv": "ad1b9c3addefa53d33b40b3747188c8dcecdb5053cec2da576db55657b86636a",
        "sosialisasi.csv": "3f876443ad7a6081f8bb123dea4f41634b71901761e58e13dd94461a2c088b7e",
        "survei_kesadaran.csv": "46a80064b192b91b0cbf2d999907a834357072be63c206b6978892718ae67dc6",
        "tenaga_kerja.csv": "c5c099ec82596fe7d874147730390ee3aef0412fdc878c856e7b4f8b4a7999c5",
        "umkm.xlsx": "13bba95e50135881b94a23391f471d5adcd3ad3001fe08c0deb7bc103474626f",
    },
    "2026-08": {
        "peserta_bpjstk.csv": "dbe9c64c5803c0c49f0f0476e6e03f9174c8df9c12f854b5da99c5056aaab325",
        "sosialisasi.csv": "e11d7f5d467545e42bc5569a5305b68546acc085f710a2d8064cf0e30fd9680a",
        "survei_kesadaran.csv": "9b8719827062a8f6b2f139b11e5d75763ef36618639069d8ae19671a21a42492",
        "tenaga_kerja.csv": "ddabd9b05cb5c8e095d51880f0a8ddbd5a5727aa43149ebf1423a61d5430e190",
        "umkm.xlsx": "f55d21ded03a23845621d827e25abb4ef45894636a4d2a092ba79ba7821feb6a",
    },
    "2026-09": {
        "peserta_bpjstk.csv": "30d7db937f3a6a6a99b13d981b59208f865ac8f6f81333d1468b8d0a5a1298da",
        "sosialisasi.csv": "a3d2242acbd03d1a6d33b1fbc25ca25e7e8707ae9c4fb14aafda85198d47ae08",
        "survei_kesadaran.csv": "9097f7d6f95664edf169eb4f37093a5d507d9073bfa2b54979d4797df01b84f9",
        "tenaga_kerja.csv": "f8afb64d008b02570b80e633814dd0e7d794eb17bccc9461eed53c07fd7c239b",
        "umkm.xlsx": "6178d98d38e5ff2f21add512b9c796fccec6ca693ac0d2cb778f5daf2ef20692",
    },
    "2026-10": {
        "peserta_bpjstk.csv": "af500c5d44f6ce4a6de55d3f1285775e85be968ea5d4222c691de1200b13d3b3",
        "sosialisasi.csv": "d341b85198749c158a3909d356c06759e096f217296e53e27f98efca37e230d6",
        "survei_kesadaran.csv": "5ce7c9c5411595ef7abeb4f7b47a6b1f1b9f214c0103c122e239728e643c5145",
        "tenaga_kerja.csv": "e022030143813aa63dedf3759b4caee936cf81c6f126fe4a23bd13388919ad87",
        "umkm.xlsx": "1e69325d9dbb01418b4851c15ab06cf4ec7cbdd6a05ed821ef62afa96360c7d2",
    },
}

#: `make report REGION=soloraya`'s demo months (`demo-data --region soloraya --outreach-effect 2`,
#: seed 2019, the region's default size): Soloraya's demo is demo data too (its banner, its key).
REGION_CAMPAIGN_MONTHS: dict[str, dict[str, dict[str, str]]] = {
    "soloraya": {
        "2026-07": {
            "peserta_bpjstk.csv": "d259b2babb9efac7fe68d720349e55e882f5ec31c91364f0b2e849939bb86f37",
            "sosialisasi.csv": "68cf846ece00274b2a56e93cd4134234d724997fcd0bc0b0ffad57176b2aa8c4",
            "survei_kesadaran.csv": "e9992fd68077378d093435cd5bdf5ea6f897f3a66c92075d9a40224fe761ee2f",
            "tenaga_kerja.csv": "5ad7502a5ca1cc5a5b5a35df5c4ec8fe6994ad5769c50ff79bf3f56b3c1e3707",
            "umkm.csv": "9f79b0dbda495bd40b76aea7a0da5aea08976a95d9a1f1d442242035e072af54",
        },
        "2026-08": {
            "peserta_bpjstk.csv": "5ae7d4ef323c875f48846362c20c186fd1ba8405e457d377ab29631b2fc1304c",
            "sosialisasi.csv": "3d5459cfaabf8dd25a108ac8d00839c2c807a7404db3fa016ee8c30b1de3aaf9",
            "survei_kesadaran.csv": "c43202d0b7dfcd5163dab024e6630fd7b9996005b59f3376bf35561e7e784947",
            "tenaga_kerja.csv": "fae361a1dd269daa85b0fe0a8f39bd087e00682f8123b24bd7abc797e16de199",
            "umkm.csv": "8d37fdaad37171fd613df607b9c70a79d8e234299a66423dccf75b19d8ddf952",
        },
        "2026-09": {
            "peserta_bpjstk.csv": "4b3e6b29d1e20aefbb4f6be16ce4c2e70c703d57bcd89c4581a118e296a64f06",
            "sosialisasi.csv": "9dfa203ccefd916fca57aa589e76c0f8f0f9e2cb3fb942ddeb87b16f6cf1ea20",
            "survei_kesadaran.csv": "0d185e7c4af1a1ee14900ca4591f6c51c81ba3abc70850d5411091f170985869",
            "tenaga_kerja.csv": "7e1f5e9217437178c042680d9962c7577b09a1e135792dacd01888143ac3391e",
            "umkm.csv": "1390b72cf430310ed7878db212433939aabe0f6ed41de82b8835e7a32ef5e671",
        },
        "2026-10": {
            "peserta_bpjstk.csv": "b21eec789dd1f7eec71ea3cad6de0c1573f6551fb2e3ab9f8cb6cd5d2ec48cb7",
            "sosialisasi.csv": "0ad8e2c4a4efa424ac923e30ccba472d65215e3d4a58c7421c237e6649e7aa95",
            "survei_kesadaran.csv": "f3403c45fd2f6996267006086f74e52d38d859cd8ebeb40502e9fc64ef488766",
            "tenaga_kerja.csv": "e16daa27644839e63519666882d07edcc71d9dff99f0536d7fd69ba7b1c5b452",
            "umkm.csv": "75f6e5299a48dc75cbcbe465b3eadd1a5ac7c12248fc37c9b4330e3e2b327bf9",
        },
    },
}
