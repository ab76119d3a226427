"""PostgreSQL backend of Kefu — Django's, with a health check that costs no round trip under load."""
