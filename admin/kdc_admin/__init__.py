"""The kdc web app: Flask-Admin for data upkeep plus routes plugins contribute."""
