"""pmo_xl: check, consolidate and report project workbooks for a small company's PMO."""

__version__ = "0.1.0"
