"""Bundled data: the register of Welsh public bodies and illustrative sample returns."""
