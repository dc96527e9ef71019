"""Quotas, deadlines, criteria and the compliance check over the master."""
