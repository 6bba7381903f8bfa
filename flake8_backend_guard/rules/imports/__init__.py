"""Rules of the 1xx (imports and package structure) family."""
