"""Benchmarks of asyncbatch beside the libraries and patterns users would pick instead.

Run ``python -m benchmarks --help`` from the repository root. This package imports
nothing at the top level, so that the cold-start child processes it spawns measure
only what they import themselves.
"""
