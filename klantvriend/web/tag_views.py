"""The owner's Tags page: every tag of the shop with its number of customers, and its rename
(onto another tag's name: a merge), the one-click merge of one name's spellings in several
capitals, and its removal."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from klantvriend.core.audit import AuditAction
from klantvriend.core.models import AuditEvent
from klantvriend.core.numbers import count_shown
from klantvriend.customers import selectors, services

from .views import add_service_errors, owner_required


class TagRenameForm(forms.Form):
    # Not required and not stripped here: the service says what is wrong with the name, in
    # one place for every caller.
    name = forms.CharField(
        label=gettext_lazy("new name"),
        required=False,
        strip=False,
        help_text=gettext_lazy(
            "The name of another tag, in any capitals, merges the two: its customers get "
            "that tag, and this one goes."
        ),
    )


@owner_required
def tag_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/tags.html",
        {
            "rows": selectors.tag_overview(business=request.business),
            "history": [
                (event, tag_event_text(event))
                for event in selectors.tag_history(business=request.business)
            ],
        },
    )


@owner_required
def tag_rename_view(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = selectors.tag_get(business=request.business, tag_id=tag_id)
    form = TagRenameForm(
        request.POST if request.method == "POST" else None, initial={"name": tag.name}
    )
    if form.is_valid():
        was = tag.name
        try:
            kept = services.tag_rename(tag=tag, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if kept.pk == tag.pk:
                messages.success(
                    request, _("“%(was)s” is now called “%(name)s”.") % {"was": was, "name": kept}
                )
            else:
                _merged_message(request, names=[was], kept=kept)
            return redirect("web:tags")
    return render(
        request,
        "web/tag_rename.html",
        {"tag": tag, "form": form},
        status=422 if form.errors else 200,
    )


@owner_required
@require_POST
def tag_merge_spellings_view(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = selectors.tag_get(business=request.business, tag_id=tag_id)
    merged = services.tag_merge_spellings(tag=tag, actor=request.user)
    if merged:
        _merged_message(request, names=merged, kept=tag)
    return redirect("web:tags")


@owner_required
def tag_delete_view(request: HttpRequest, tag_id: int) -> HttpResponse:
    """GET asks first, saying how many customers carry the tag; POST removes it."""
    tag = selectors.tag_get(business=request.business, tag_id=tag_id)
    if request.method != "POST":
        return render(request, "web/tag_confirm_delete.html", {"tag": tag})
    carried = services.tag_delete(tag=tag, actor=request.user)
    messages.success(
        request,
        ngettext(
            "“%(name)s” removed from %(count)s customer.",
            "“%(name)s” removed from %(count)s customers.",
            carried,
        )
        % {"name": tag.name, "count": count_shown(carried)},
    )
    return redirect("web:tags")


def _merged_message(request: HttpRequest, *, names: list[str], kept) -> None:
    customers = selectors.tag_get(business=request.business, tag_id=kept.pk).customer_count
    messages.success(
        request,
        ngettext(
            "%(names)s merged into “%(name)s”, which %(count)s customer carries now.",
            "%(names)s merged into “%(name)s”, which %(count)s customers carry now.",
            customers,
        )
        % {
            "names": ", ".join(f"“{name}”" for name in names),
            "name": kept.name,
            "count": count_shown(customers),
        },
    )


def tag_event_text(event: AuditEvent) -> str:
    """A rename, merge or removal of a tag as the Tags page's history tells it."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    was, now = (changes.get("name") or ["", ""])[:2]
    customers = changes.get("customers") or 0
    if event.action == AuditAction.MERGED:
        return ngettext(
            "“%(was)s” merged into “%(name)s” (%(count)s customer)",
            "“%(was)s” merged into “%(name)s” (%(count)s customers)",
            customers,
        ) % {"was": was, "name": now, "count": count_shown(customers)}
    if event.action == AuditAction.DELETED:
        return ngettext(
            "“%(was)s” removed from %(count)s customer",
            "“%(was)s” removed from %(count)s customers",
            customers,
        ) % {"was": was, "count": count_shown(customers)}
    return _("“%(was)s” renamed to “%(name)s”") % {"was": was, "name": now}
