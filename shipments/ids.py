"""A row's id as typed in a URL or a form: ASCII digits only (``str.isdigit``
accepts "²", which ``int`` refuses) and few enough for a bigint, so a
malformed id is a 404 or a form error, never a 500."""


def is_row_id(value: object) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18
