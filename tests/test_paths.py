"""File digests: the provenance and demo-check hashes equal hashlib's, whatever the number of files."""

from __future__ import annotations

import hashlib

import pytest

from analysis.paths import sha256_file, sha256_files


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_several_files_hash_as_hashlib_hashes_each_one(tmp_path, count):
    files = []
    for i in range(count):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(bytes(range(256)) * (4099 * i + 1))  # across the 1 MB read chunks
        files.append(path)
    digests = sha256_files(files)
    assert list(digests) == files
    for path in files:
        assert digests[path] == hashlib.sha256(path.read_bytes()).hexdigest() == sha256_file(path)
