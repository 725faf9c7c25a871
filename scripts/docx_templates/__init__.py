"""Authoring code for templates/<slug>/document.docx: one module per document type, built on base.py."""
