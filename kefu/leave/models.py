"""请假 models."""
