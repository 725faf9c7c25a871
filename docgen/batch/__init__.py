"""Batches: every document of every applicant of one unit, for printing and uploading."""
