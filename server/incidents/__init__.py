"""Incidents (事件事故, R-INCIDENT): reported up the chain at once, followed up, investigated,
discussed by the HQ group when major, closed with lessons learned."""
