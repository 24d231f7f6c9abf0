"""Text: number and date formats, labels and paragraphs in Vietnamese and English."""
