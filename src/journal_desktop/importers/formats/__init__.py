"""One module per broker format; each registers an ImportFormat with the registry on import."""
