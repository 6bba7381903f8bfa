"""Rules of the 2xx (security) family."""
