"""The engine: one ordered event table and the tables every analysis reads (see tables.py)."""

from procmine.engine.tables import Tables, TimeTables

__all__ = ["Tables", "TimeTables"]
