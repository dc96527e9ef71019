"""The master workbook: creating, opening, settings, units, and reconciling its tables."""
