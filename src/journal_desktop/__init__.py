"""Journal Desktop: an encrypted, local-first trading journal."""

__version__ = "0.1.0"
