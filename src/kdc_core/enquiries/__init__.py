"""Enquiries (casework): references, working-day timescales, routing, audit and backends."""
