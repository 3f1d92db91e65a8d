"""Translations: one package per language, one module per area of the app (see explorer/i18n.py)."""
