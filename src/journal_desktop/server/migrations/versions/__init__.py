"""Numbered schema revisions; each is applied in one transaction."""
