"""考勤 models."""
