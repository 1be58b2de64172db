"""Curricula, cohorts, marks, attendance, graduation and certificates (DESIGN §4)."""
