"""Benchmark: a synthetic site, a fast local server, and the auditor timed against reference tools."""
