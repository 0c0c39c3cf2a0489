"""Popolo JSON export of people, organisations, posts, memberships and areas."""
