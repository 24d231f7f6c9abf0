"""Shared helpers of the blood-donation campaign workbook.

Notebooks tell the story and call into this package; every computation lives
here as a small named function that takes frames or numbers and returns them.
"""

__version__ = "0.1.0"
