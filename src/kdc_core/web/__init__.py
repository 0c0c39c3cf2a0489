"""Serving the web app (``kdc serve``, ``kdc demo``) and the pieces it shares with the core.

The Flask app itself lives in the ``kdc_admin`` package; this package imports it only inside
the commands, so the core stays importable without Flask-Admin's weight.
"""
