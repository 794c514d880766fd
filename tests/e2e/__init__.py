"""End-to-end tests: the real app driven as a trader would."""
