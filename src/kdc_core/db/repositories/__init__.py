"""Repositories: the only code that turns rows into values and back."""
