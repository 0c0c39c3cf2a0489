"""Use cases that cut across features (imports, …); each takes the app object or a unit of work."""
