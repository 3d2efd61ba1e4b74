"""asyncbatch."""
