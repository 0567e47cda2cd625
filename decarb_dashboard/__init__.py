"""decarb-dashboard: read, validate, store, normalise and benchmark the annual carbon
emissions returns of Welsh public bodies. The Dash front end lives in ``web``."""

__version__ = "0.1.0"
