"""Pure analysis helpers shared by several rules."""
