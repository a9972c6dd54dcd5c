"""Sections of the campaigns page (攻坚, /campaigns)."""
