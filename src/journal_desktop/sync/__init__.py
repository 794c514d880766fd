"""Sync: the wire protocol shared with the server, and a thin client for it (no Qt, no storage)."""
