"""Benchmarks: `make bench` runs every bench/<name>.py (files starting with _ are helpers)."""
