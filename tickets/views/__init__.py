"""The citizen pages: report a problem (report.py) and follow it (tracking.py)."""
