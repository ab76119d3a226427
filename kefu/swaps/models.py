"""换班 models."""
