"""Rules of the 3xx (style, documentation and structure) family."""
