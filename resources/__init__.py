"""Assets (icons, sample data), read through importlib.resources as ``birdadmin.resources``."""
