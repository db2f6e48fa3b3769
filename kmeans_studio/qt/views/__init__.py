"""Thin views: each takes snapshots through ``set_snapshot`` and never computes much."""
