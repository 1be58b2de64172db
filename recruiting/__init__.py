"""Branches, recruitment rounds, applicants and their pipeline (DESIGN §4)."""
