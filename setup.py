"""The one compiled part, optional: HMAC-SHA256 pseudonyms in C over OpenSSL (see
src/analysis/ingest/fast_hmac.py). Everything else is in pyproject.toml. Without a C compiler or
OpenSSL's headers (libssl-dev) the build skips it with a warning and the install still succeeds;
cleaning then computes the same pseudonyms in DuckDB."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "analysis.ingest._fast_hmac",
            sources=["src/analysis/ingest/_fast_hmac.c"],
            libraries=["crypto"],
            optional=True,
        )
    ]
)
