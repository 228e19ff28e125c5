"""The warning list (警示名录, R-WARNLIST) and the rewards register (R-REWARD)."""
