"""Outcome release review (R-OUTCOME): nothing goes out before its security review."""
