"""The API's endpoints, thin: each checks its scope, reads through selectors, writes through services."""
