"""The implementation behind :mod:`asyncbatch.testing`; import from there."""
