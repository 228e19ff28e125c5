"""The yearly evaluation of units (R-EVAL): rubric versions, runs, ratings."""
