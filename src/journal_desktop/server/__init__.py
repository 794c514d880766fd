"""The sync server: stores only end-to-end encrypted blobs and keeps accounts safe (no Qt)."""
