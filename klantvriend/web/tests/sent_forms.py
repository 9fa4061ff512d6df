"""What a browser sends when a form of a page is submitted unchanged: every named input with its
value (checkboxes only when ticked), every textarea's text and every select's chosen option.
Tests post this, with a few fields typed over, rather than a dict written by hand, so that what
the page carries (hidden inputs such as the values its user saw) goes along as it would."""

from html.parser import HTMLParser

_NOT_SENT = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in _NOT_SENT:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._form.append((attrs["name"], attrs.get("value") or "on"))
            else:
                self._form.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea, self._text = attrs["name"], []
        elif tag == "select" and attrs.get("name"):
            self._select, self._options = attrs["name"], []
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The HTML parser drops one newline right after <textarea>.
            self._form.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._options.append((value, option["selected"]))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self._form.append((self._select, (chosen or [self._options[0][0]])[-1]))
            self._select = None


def form_as_sent(page, *, having: str) -> dict[str, str]:
    """The fields the form of `page` (a response) that has a field named `having` would send,
    by name. Newlines as a browser sends them (CRLF)."""
    reader = _FormReader()
    reader.feed(page.content.decode())
    for form in reader.forms:
        if any(name == having for name, _value in form):
            return {name: value.replace("\r\n", "\n").replace("\n", "\r\n") for name, value in form}
    raise AssertionError(f"No form with a field {having!r} on the page.")
