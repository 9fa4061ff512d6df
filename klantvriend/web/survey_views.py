"""Survey pages: the public answer page (no account), the results, the settings, inviting a
customer from the profile (by e-mail, or a QR code to scan at the counter), and a survey round
(every customer who may be e-mailed, in one go)."""

from dataclasses import asdict

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clv import charts
from klantvriend.core.links import public_address_is_this_device
from klantvriend.core.members import staff_name
from klantvriend.core.numbers import count_shown
from klantvriend.customers.selectors import customer_get
from klantvriend.insights.charts import month_axis, month_label
from klantvriend.insights.scorecard import trend_window
from klantvriend.promises.selectors import PERIODS, period_bounds
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import SURVEY_LANGUAGES, InvitationChannel, SendFailure

from .links import safe_next
from .survey_forms import SurveyAnswerForm, SurveyInviteForm, SurveySettingsForm
from .views import (
    PERIOD_CHOICES,
    CountedPaginator,
    add_service_errors,
    filter_choice,
    member_required,
    owner_required,
)

STATE_STATUS = {"invalid": 404, "expired": 410, "withdrawn": 410, "answered": 200}


def _chosen_language(request: HttpRequest) -> str | None:
    """The language the reader chose on the page: its switch (a button of the form, so that
    what was typed stays; ?lang= on the other pages) or the form's hidden field."""
    chosen = request.POST.get("switch_lang") or request.POST.get("lang") or request.GET.get("lang")
    return chosen if chosen in SURVEY_LANGUAGES else None


def _public_language(request: HttpRequest, answered_in: str | None = None) -> str:
    """The reader's choice on the page wins; then the language an answer was given in (the
    thanks, opened again from the e-mail, in the language the customer chose); otherwise the
    browser's language, which the locale middleware honours on these pages."""
    chosen = _chosen_language(request) or answered_in
    if chosen in SURVEY_LANGUAGES:
        return chosen
    current = (translation.get_language() or "nl")[:2]
    return current if current in SURVEY_LANGUAGES else "nl"


def survey_answer(request: HttpRequest, key: str) -> HttpResponse:
    """Public: whoever holds the link may answer once. An unknown, expired or withdrawn link gets
    a friendly page and stores nothing. Opened again once answered (or in the other language
    from the thanks page's switch), it shows the thanks again; a second answer keeps only new
    words (services.survey_answer) and says so."""
    invitation = services.invitation_for_key(key=key)
    state = services.invitation_state(invitation)
    answered_in = invitation.response.language if state == "answered" else None
    language = _public_language(request, answered_in)
    # The switch of language pressed on the form: the page again in the other language, with
    # what was chosen and typed so far (a link lost it), nothing sent and nothing refused.
    switched = request.method == "POST" and "switch_lang" in request.POST
    with translation.override(language):
        context = {"language": language, "key": key, "invitation": invitation}
        if state == "answered" and (request.method != "POST" or switched):
            return _thanks(request, context, invitation.response)
        if state not in ("open", "answered"):
            context["message"] = services.state_message(state)
            context["state"] = state
            return render(request, "web/survey_public.html", context, status=STATE_STATUS[state])
        survey = selectors.survey_get(business=invitation.business)
        if switched:
            form = SurveyAnswerForm(initial=request.POST.dict(), survey=survey, language=language)
        else:
            form = SurveyAnswerForm(request.POST or None, survey=survey, language=language)
        status = 200
        if request.method == "POST" and not switched:
            # A second answer (a tab left open) is read for its comment alone, whatever its
            # scores: the customer's words must reach the shop even if a score is missing.
            if state == "answered" or form.is_valid():
                answers = form.data if state == "answered" else form.cleaned_data
                try:
                    outcome = services.survey_answer(key=key, answers=answers, language=language)
                except ValidationError as error:
                    if "key" in getattr(error, "error_dict", {}):
                        context["message"] = error.error_dict["key"][0].messages[0]
                        context["state"] = error.error_dict["key"][0].code
                        return render(
                            request,
                            "web/survey_public.html",
                            context,
                            # Refused after the page was opened: a conflict, but for a
                            # link answered before, which is said as on any later visit.
                            status=STATE_STATUS["answered"] if state == "answered" else 409,
                        )
                    add_service_errors(form, error)
                else:
                    return _thanks(request, context, outcome)
            status = 422
        context.update({"form": form, "survey": survey, "state": "open"})
        return render(request, "web/survey_public.html", context, status=status)


def _thanks(request: HttpRequest, context: dict, outcome) -> HttpResponse:
    """The thanks for an answer, or what became of words added to an answer already given."""
    if isinstance(outcome, services.LateComment):
        context.update(state="late", kept_as=outcome.kept_as)
    else:
        context.update(state="thanks", sorry=_sorry(outcome))
    return render(request, "web/survey_public.html", context)


@csrf_exempt  # a mail program's one-click unsubscribe posts without a form (RFC 8058)
@require_http_methods(["GET", "POST"])
def email_stop(request: HttpRequest, key: str) -> HttpResponse:
    """Public: the opt-out link of an invitation e-mail. A GET asks (a mail scanner that opens
    every link must not unsubscribe anyone), a POST stops the e-mails, from the page's button or
    from the mail program's own button. The secret in the address is what authorises it; the
    exemption from the CSRF check lets no one else do it, who would need that secret."""
    language = _public_language(request)
    with translation.override(language):
        invitation = services.invitation_for_key(key=key)
        context = {"language": language, "key": key, "invitation": invitation}
        if invitation is None:
            context["message"] = services.state_message("invalid")
            context["state"] = "invalid"
            return render(request, "web/survey_public.html", context, status=404)
        customer = invitation.customer
        if request.method == "POST":
            customer = services.email_stop(invitation=invitation)
        context["state"] = "stop_ask" if services.still_emailed(customer) else "stop_done"
        return render(request, "web/survey_public.html", context)


def _sorry(response) -> str:
    """What the thanks page says to an unhappy customer of what their answer set going: the
    complaint it was recorded as, or the owner's follow-up (services.survey_answer). A detractor
    thanked like a promoter learns nothing of the shop's reaction, the first step of recovery."""
    if response.complaint_id:
        return "complaint"
    return "follow_up" if response.follow_up_id else ""


# The results count the invitations of the last twelve months, the period of the list they
# open (a test checks that the two begin at the same moment).
RESULTS_PERIOD = "12m"


@member_required
def survey_results(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Also the score of the scorecard's 90 days, counted over the same window, so that the page
    # can say why the scorecard shows another figure.
    results = selectors.survey_results(
        business=request.business, now=now, recent_since=trend_window(now)[0]
    )
    answered = [month.summary for month in results.trend if month.summary.answers]
    return render(
        request,
        "web/survey_results.html",
        {
            "results": results,
            # No chart of a year without answers: its empty months would read as a score of 0.
            "trend_chart": trend_chart(results.trend) if answered else "",
            # A shop of a few answers a month has no month to read: said once, above the chart
            # of open circles, pointing to the year's score, rather than left to be puzzled out.
            "trend_all_too_few": bool(answered)
            and all(summary.too_few_answers for summary in answered),
            "invitations_period": RESULTS_PERIOD,
            "min_answers": selectors.NPS_MIN_ANSWERS,
            "driver_min_answers": selectors.DRIVER_MIN_ANSWERS,
        },
    )


INVITATIONS_PER_PAGE = 50
INVITATION_STATE_CHOICES = selectors.InvitationState.choices
ALL_STANDING = gettext_lazy("all but withdrawn")
# A row's state in a word, beside when it came about; the filter's choices say more.
STATE_BADGES = {
    selectors.InvitationState.ANSWERED: gettext_lazy("answered"),
    selectors.InvitationState.OPEN: gettext_lazy("open"),
    selectors.InvitationState.EXPIRED: gettext_lazy("expired"),
    selectors.InvitationState.WITHDRAWN: gettext_lazy("withdrawn"),
}


@member_required
def survey_invitation_list(request: HttpRequest) -> HttpResponse:
    """Every invitation of the business, the newest first, by state, period and channel: whom
    the shop asked, when, how and by whom, and what came of it. The survey results' count of
    invitations and their share answered open it, counted by the same conditions. Staff see it
    as they see the results."""
    business = request.business
    state = filter_choice(request, "state", selectors.InvitationState.values)
    channel = filter_choice(request, "channel", InvitationChannel.values)
    period = filter_choice(request, "period", PERIODS)
    now = timezone.now()
    since, until = period_bounds(period=period, now=now) if period else (None, None)
    listed = selectors.survey_invitation_register(
        business=business, state=state, since=since, until=until, channel=channel, now=now
    )
    paginator = CountedPaginator(
        listed.invitations, INVITATIONS_PER_PAGE, count=listed.tally.count(state)
    )
    page = paginator.get_page(request.GET.get("page"))
    invitations = list(page.object_list)
    return render(
        request,
        "web/survey_invitation_list.html",
        {
            "page": page,
            "rows": _invitation_rows(business, invitations, now),
            "tally": listed.tally,
            "since": since,
            "until": until,
            "state": state,
            "channel": channel,
            "period": period,
            "filtered": bool(state or channel or period),
            "states": INVITATION_STATE_CHOICES,
            "all_standing": ALL_STANDING,
            "channels": InvitationChannel.choices,
            "periods": PERIOD_CHOICES,
        },
    )


def _invitation_rows(business, invitations: list, now) -> list[dict]:
    """Each invitation with its state, who made it, and whether its customer can be asked
    again now by e-mail (services.survey_invitation_create would allow it: not answered, this
    the customer's latest invitation, the interval between invitations passed, consent to
    e-mail on record) or, once it expired, from which day."""
    survey = selectors.survey_get(business=business)
    latest = selectors.survey_invitation_latest(
        business=business, customer_ids={invitation.customer_id for invitation in invitations}
    )
    rows = []
    for invitation in invitations:
        state = selectors.invitation_list_state(invitation, now=now)
        again_from = None
        may_ask_again = False
        if state in (
            selectors.InvitationState.OPEN,
            selectors.InvitationState.EXPIRED,
        ) and latest.get(invitation.customer_id) == (invitation.created_at):
            possible_from = selectors.invitation_interval_ends(
                survey=survey, last=invitation.created_at, now=now
            )
            if possible_from is None:
                may_ask_again = services.may_email(invitation.customer)
            elif state == selectors.InvitationState.EXPIRED:
                # An open one needs no second question yet: its link still works.
                again_from = possible_from
        elif invitation.send_failure == SendFailure.UNREACHABLE and not (
            latest.get(invitation.customer_id, invitation.created_at) > invitation.created_at
        ):
            # Its email never went and nothing was asked since: a new invitation may go now,
            # unless an earlier one that stands is too recent (the interval counts only those).
            # An address the server refused would be refused again: it is the address to mend.
            possible_from = selectors.invitation_interval_ends(
                survey=survey, last=latest.get(invitation.customer_id), now=now
            )
            may_ask_again = possible_from is None and services.may_email(invitation.customer)
        rows.append(
            {
                "invitation": invitation,
                "state": state,
                "badge": STATE_BADGES[state],
                "by": staff_name(invitation.created_by) if invitation.created_by else "",
                "may_ask_again": may_ask_again,
                "again_from": again_from,
            }
        )
    return rows


def _point_title(label: str, summary: selectors.NpsSummary) -> str:
    """What a point of the trend says when pointed at: the month's score with its margin, or
    that its answers are too few to read it as the month's score."""
    figures = {
        "month": label,
        "score": summary.score_shown,
        "margin": summary.margin_shown,
        "count": count_shown(summary.answers),
    }
    if summary.too_few_answers:
        text = ngettext(
            "%(month)s: NPS %(score)s (%(count)s answer: too few)",
            "%(month)s: NPS %(score)s (%(count)s answers: too few)",
            summary.answers,
        )
    else:
        text = ngettext(
            "%(month)s: NPS %(score)s ± %(margin)s (%(count)s answer)",
            "%(month)s: NPS %(score)s ± %(margin)s (%(count)s answers)",
            summary.answers,
        )
    return text % figures


def trend_chart(trend) -> str:
    """The monthly NPS as a line from -100 to +100; a month without answers leaves a gap, and a
    month of too few answers is an open circle outside the line (selectors.NPS_MIN_ANSWERS)."""
    labels = [month_label(month.month) for month in trend]
    scores = [month.summary.score for month in trend]
    note = ngettext(
        "Open circle: fewer than %(count)s answer, too few to read as the month's score",
        "Open circle: fewer than %(count)s answers, too few to read as the month's score",
        selectors.NPS_MIN_ANSWERS,
    ) % {"count": selectors.NPS_MIN_ANSWERS}
    return mark_safe(  # built from escaped parts in clv.charts
        charts.responsive(
            lambda width: charts.line_chart(
                width=width,
                labels=labels,
                values=scores,
                title=_("NPS per month; the table below gives the figures."),
                ticks=(-100, -50, 0, 50, 100),
                # The axis and the points write a score as the page does: "−50", "+50".
                value_format=selectors.nps_shown,
                point_titles=[
                    _point_title(label, month.summary)
                    for label, month in zip(labels, trend, strict=True)
                ],
                axis_labels=month_axis(labels),
                uncertain=[month.summary.too_few_answers for month in trend],
                uncertain_note=note,
            )
        )
    )


@owner_required
def survey_settings(request: HttpRequest) -> HttpResponse:
    survey = selectors.survey_get(business=request.business)
    form = SurveySettingsForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                business=request.business,
                actor=request.user,
                questions=form.questions(),
                invitation_interval_days=form.cleaned_data["invitation_interval_days"],
                invitation_valid_days=form.cleaned_data["invitation_valid_days"],
                invite_after_delivery=form.cleaned_data["invite_after_delivery"],
                invite_after_complaint=form.cleaned_data["invite_after_complaint"],
                invite_after_purchase=form.cleaned_data["invite_after_purchase"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("web:survey_settings")
    return render(request, "web/survey_settings.html", {"form": form})


# The outcome of the last click of a survey round, shown once on the page it redirects to
# (post/redirect/get: a refresh shows the page, it does not click again).
ROUND_OUTCOME = "survey_round_outcome"


@owner_required
@require_http_methods(["GET", "POST"])
def survey_round(request: HttpRequest) -> HttpResponse:
    """A survey round: who may be invited by e-mail now and who is left out and why, counted
    (selectors.survey_round), and, after one confirmation, the invitations of one click
    (services.survey_round_send, at most selectors.ROUND_SIZE). Owners only: it writes to many
    customers at once in the shop's name. A POST without the confirmation sends nothing and
    asks for it."""
    business = request.business
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if confirmed:
        outcome = services.survey_round_send(
            business=business, actor=request.user, size=selectors.ROUND_SIZE
        )
        request.session[ROUND_OUTCOME] = asdict(outcome)
        return redirect("web:survey_round")
    asking = request.method == "POST" or request.GET.get("step") == "confirm"
    survey = selectors.survey_get(business=business)
    current = selectors.survey_round(business=business, survey=survey, size=selectors.ROUND_SIZE)
    return render(
        request,
        "web/survey_round.html",
        {
            "round": current,
            "survey": survey,
            "left_out": [
                (reason, label, current.left_out[reason])
                for reason, label in selectors.RoundLeftOut.choices
            ],
            "customers": sum(current.left_out.values()) + current.may_invite,
            "round_size": selectors.ROUND_SIZE,
            "asking": asking and current.may_invite > 0,
            "not_confirmed": request.method == "POST",
            "outcome": _round_outcome_shown(request.session.pop(ROUND_OUTCOME, None)),
            "sender": services.invitation_sender(business),
        },
        status=400 if request.method == "POST" else 200,
    )


def _round_outcome_shown(outcome: dict | None) -> dict | None:
    """The last click's outcome with the reasons and failures named in the reader's language."""
    if outcome is None:
        return None
    reasons = dict(selectors.RoundLeftOut.choices)
    failures = dict(SendFailure.choices)
    return {
        **outcome,
        "refused_named": [
            (reasons.get(why, _("another reason")), number)
            for why, number in outcome["refused"].items()
        ],
        "not_sent_named": [
            (failures.get(why, why), number) for why, number in outcome["not_sent"].items()
        ],
        "not_sent_total": sum(outcome["not_sent"].values()),
        "refused_total": sum(outcome["refused"].values()),
    }


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (no style attributes or scripts: strict CSP)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, title=_("QR code of the survey link"))
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


# The one-time links this session made at the counter (invitation id -> URL), so that the QR page
# can be shown again after a refresh: the secret is stored nowhere else (the database keeps its
# hash). A link is dropped once its invitation is answered or has expired, and only the newest
# few are kept.
QR_LINKS = "survey_qr_links"
QR_LINKS_KEPT = 5


def _remember_qr_link(request: HttpRequest, invitation_id: int, url: str) -> None:
    links: dict[str, str] = request.session.get(QR_LINKS, {})
    still_open = selectors.survey_invitations_open(
        business=request.business, ids=[int(pk) for pk in links]
    )
    kept = {pk: link for pk, link in links.items() if int(pk) in still_open}
    kept[str(invitation_id)] = url
    request.session[QR_LINKS] = dict(list(kept.items())[-QR_LINKS_KEPT:])


def _forget_qr_link(request: HttpRequest, invitation_id: int) -> None:
    links: dict[str, str] = request.session.get(QR_LINKS, {})
    if str(invitation_id) in links:
        request.session[QR_LINKS] = {
            pk: link for pk, link in links.items() if pk != str(invitation_id)
        }


@member_required
@require_POST
def survey_invite(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Invite from the profile, or ask again by e-mail from the list of invitations, which
    adds `next` to come back to: the service's rules (consent, the interval between
    invitations) hold for both, and a refusal is said on the page returned to."""
    customer = customer_get(business=request.business, customer_id=customer_id)
    back = safe_next(request, default=reverse("web:customer_detail", args=[customer.pk]))
    form = SurveyInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to invite the customer."))
        return redirect(back)
    try:
        created = services.survey_invitation_create(
            business=request.business,
            customer=customer,
            channel=form.cleaned_data["channel"],
            actor=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    if created.invitation.channel == InvitationChannel.EMAIL:
        # Sent when its transaction committed, inside the service's call: its outcome is known.
        if created.invitation.send_failure == SendFailure.REFUSED:
            messages.error(
                request,
                _(
                    "The invitation could not be emailed: the mail server refused %(email)s. "
                    "Check the address in the customer's details."
                )
                % {"email": customer.email},
            )
        elif created.invitation.send_failure:
            messages.error(
                request,
                _(
                    "The invitation could not be emailed: the mail server could not be reached. "
                    "Nothing was sent; try again later."
                ),
            )
        else:
            messages.success(
                request, _("Survey invitation sent to %(email)s.") % {"email": customer.email}
            )
        return redirect(back)
    # Post/redirect/get: a refresh of the QR page shows the same code instead of inviting again.
    # The public address, as in e-mails: the customer's phone must open what the counter's
    # tablet may reach by an address of the shop's own network.
    _remember_qr_link(request, created.invitation.pk, created.url)
    return redirect("web:survey_qr", survey_invitation_id=created.invitation.pk)


@member_required
@require_POST
def survey_invitation_new_code(request: HttpRequest, survey_invitation_id: int) -> HttpResponse:
    """A new QR code for an open invitation at the counter, the old code withdrawn: only the
    page that made a code can show it, and the customer who did not scan it could otherwise
    not be asked for months (services.survey_invitation_replace)."""
    invitation = selectors.survey_invitation_get(
        business=request.business, survey_invitation_id=survey_invitation_id
    )
    try:
        created = services.survey_invitation_replace(
            business=request.business, invitation=invitation, actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:customer_detail", invitation.customer_id)
    _forget_qr_link(request, invitation.pk)
    _remember_qr_link(request, created.invitation.pk, created.url)
    return redirect("web:survey_qr", survey_invitation_id=created.invitation.pk)


@member_required
@require_GET
def survey_qr(request: HttpRequest, survey_invitation_id: int) -> HttpResponse:
    """The QR code of an invitation made in this session, while it can be answered; once it is
    answered or expired, says so (to anyone of the business: it reveals no link)."""
    invitation = selectors.survey_invitation_get(
        business=request.business, survey_invitation_id=survey_invitation_id
    )
    customer = invitation.customer
    state = services.invitation_state(invitation)
    context = {"customer": customer, "invitation": invitation, "state": state}
    if state == "open":
        url = request.session.get(QR_LINKS, {}).get(str(invitation.pk))
        if url is None:
            # Only the session that made the link holds its secret.
            raise Http404
        context.update(url=url, qr=qr_svg(url), unreachable=public_address_is_this_device())
    else:
        _forget_qr_link(request, invitation.pk)
        if state != "invalid":
            possible_from = selectors.survey_next_invitation_at(
                business=request.business, customer=customer
            )
            context["invite_again_from"] = possible_from and request.business.local(possible_from)
    return render(request, "web/survey_qr.html", context)
