"""circulaire: YAML letter specs -> circular letters in Markdown, text, DOCX and PDF."""

__version__ = "0.1.0"
