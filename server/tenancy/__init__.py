"""Tenancy: org units (HQ, branch academies, institutes), departments, users, memberships, roles."""
