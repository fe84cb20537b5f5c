"""Benchmark of the committee dashboard and the export on the machine it runs on (``python -m benchmarks``).

Not part of the test suite. See benchmarks/README.md.
"""
