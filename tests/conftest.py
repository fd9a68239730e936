"""Shared test set-up. The live-server helpers live in tests/live_server.py (import from there)."""
