"""Report making: what a notebook hands to its report, and how a report is published."""
