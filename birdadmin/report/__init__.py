"""The PDF audit report (Qt GUI classes only, no widgets): :func:`write_pdf`."""

from birdadmin.report.pdf import write_pdf

__all__ = ["write_pdf"]
