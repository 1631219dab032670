"""A core-banking simulator: the HTTP/JSON protocol of docs/core-banking-protocol.md, stdlib only.

Run it as ``python -m coresim --port N``. It imports nothing of Mamori and Mamori imports nothing of
it (an import-linter contract): the two talk over HTTP only.
"""
