"""Early-warning signals (监测预警): indicators computed per project and per unit, thresholds HQ
sets, and signals that open, escalate and clear as the data changes."""
