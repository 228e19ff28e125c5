"""Monitoring during implementation: the hazard register, rectification and its supervision."""
