"""例会与带教 models."""
