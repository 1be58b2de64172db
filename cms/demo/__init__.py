"""The demo installation: its content (our own Korean text) and the loader that creates it."""
