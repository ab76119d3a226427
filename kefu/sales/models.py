"""销售与提成 models."""
