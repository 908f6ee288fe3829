"""Benchmarks: `python -m bench.bench_parse`."""
