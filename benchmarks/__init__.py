"""Performance benchmarks: each figure as a ratio to a limit measured in the same run.

Run with `python -m benchmarks` (see benchmarks/README.md). Not part of the test run.
"""
