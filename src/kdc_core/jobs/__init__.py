"""Scheduled jobs: registered by plugins, run once at a time across hosts, each run logged."""
