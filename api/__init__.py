"""The REST API for other systems (/api/v1/): clients, their tokens, the endpoints and the schema."""
