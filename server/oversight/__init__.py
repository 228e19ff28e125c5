"""Oversight: the figures HQ and branch academies supervise by (ORG-HQ-DUTY, ORG-BRANCH)."""
