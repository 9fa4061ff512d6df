"""Password rules with messages in the user's language."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with its refusal translated here: Django 6.1 reworded the message and its
    own Dutch catalogue still has only the old wording, so an owner adding a member read it in
    English between two Dutch ones."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


def password_help_text() -> str:
    """The rules of the configured validators in one sentence in the shop's voice, for the
    field where a new password is typed: Django lists each rule's own help text, addressing
    the reader as "u", where the rest of the interface says "je"."""
    lengths = [
        validator.min_length
        for validator in password_validation.get_default_password_validators()
        if isinstance(validator, password_validation.MinimumLengthValidator)
    ]
    minimum = max(lengths, default=1)
    return ngettext(
        "At least %(min_length)d character; not only digits, not a common password and not "
        "like your name.",
        "At least %(min_length)d characters; not only digits, not a common password and not "
        "like your name.",
        minimum,
    ) % {"min_length": minimum}
