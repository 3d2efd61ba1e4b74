"""Tests that run functions under the real Lambda runtime interface client."""
