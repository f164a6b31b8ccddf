"""What every importer shares: the report it returns, the error it raises for bad input, and the
management command base (--commit, the report, bad input as a clean CommandError)."""
from .report import ImportFailed, ImportReport

__all__ = ["ImportFailed", "ImportReport"]
