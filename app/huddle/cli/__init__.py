"""The headless command line: the same engine facade, driven from a terminal."""
