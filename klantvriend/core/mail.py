"""What the e-mails Klantvriend sends write in their headers."""


def header_text(text: str) -> str:
    """`text` on one line, each run of spaces and line breaks one space: a header (a subject,
    the sender's name) cannot hold a line break, and an e-mail with one is refused before it
    is sent. A shop's name can hold one (pasted into the settings' name field)."""
    return " ".join(text.split())
