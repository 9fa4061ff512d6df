"""The two clocks of a complaint: first response and resolution, against the business targets.
A public complaint's response clock runs in clock hours (a post on social media is read in the
evening too); a private one's in working hours. The resolution is due at the closing of a
working day: "within 3 days" over a closed Sunday and Monday left one day and a half for it, and
ended after closing time."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from klantvriend.core.care_settings import CareSettings
from klantvriend.core.working_hours import add_working_days, add_working_hours


class Stage(models.TextChoices):
    RESPONSE = "response", _("awaiting first response")
    RESOLUTION = "resolution", _("awaiting resolution")
    RESOLVED = "resolved", _("resolved")


@dataclass(frozen=True)
class Clock:
    stage: Stage
    response_deadline: datetime
    resolution_deadline: datetime
    deadline: datetime | None  # of the running clock; None once resolved
    time_left: timedelta | None  # negative when breached
    response_in_time: bool | None  # None while no response yet and not late
    resolution_in_time: bool | None

    @property
    def breached(self) -> bool:
        return self.time_left is not None and self.time_left < timedelta(0)


# Python adds a timedelta to an aware datetime on its own wall clock: in UTC that is elapsed
# time (clock hours), in the business's zone it is calendar time (the same hour N days on, also
# across a change to or from summer time). The moment may come in either zone (UTC from the
# database, local from a form), so each deadline says which it means.


def response_deadline(complaint, *, settings: CareSettings, tz) -> datetime:
    if complaint.public:
        return complaint.received_at.astimezone(UTC) + timedelta(
            hours=settings.complaint_public_response_hours
        )
    return add_working_hours(
        complaint.received_at,
        settings.complaint_response_working_hours,
        tz=tz,
        week=settings.opening_hours,
        closed=settings.closed_dates,
    )


def resolution_deadline(complaint, *, settings: CareSettings, tz) -> datetime:
    return add_working_days(
        complaint.received_at,
        settings.complaint_resolution_days,
        tz=tz,
        week=settings.opening_hours,
        closed=settings.closed_dates,
    )


def complaint_deadlines(complaint, *, settings: CareSettings, tz) -> tuple[datetime, datetime]:
    """The response and resolution deadlines, as stored on the complaint (`respond_by`,
    `resolve_by`, set by complaints.services on every write they depend on) and as the clock
    works them out."""
    return (
        response_deadline(complaint, settings=settings, tz=tz),
        resolution_deadline(complaint, settings=settings, tz=tz),
    )


def stored_deadlines(complaint) -> tuple[datetime, datetime] | None:
    """The deadlines stored on `complaint`, or None for one without them (not saved yet). A
    list read with `only()` names them, or each complaint reads them in a query of its own."""
    respond_by = getattr(complaint, "respond_by", None)
    resolve_by = getattr(complaint, "resolve_by", None)
    return (respond_by, resolve_by) if respond_by and resolve_by else None


def complaint_clock(
    complaint,
    *,
    settings: CareSettings,
    tz,
    now: datetime,
    deadlines: tuple[datetime, datetime] | None = None,
) -> Clock:
    """The clocks at `now`. `deadlines`: the response and resolution deadlines when already
    worked out; else those stored on the complaint (`respond_by`, `resolve_by`), which keep
    what a complaint was judged by once it was answered or resolved (services.deadlines_refresh),
    and else as the settings work them out now."""
    respond_by, resolve_by = (
        deadlines
        or stored_deadlines(complaint)
        or complaint_deadlines(complaint, settings=settings, tz=tz)
    )
    responded = complaint.first_response_at
    response_in_time = (
        responded <= respond_by if responded is not None else (False if now > respond_by else None)
    )
    if complaint.resolved_at is not None:
        return Clock(
            Stage.RESOLVED,
            respond_by,
            resolve_by,
            None,
            None,
            response_in_time,
            complaint.resolved_at <= resolve_by,
        )
    resolution_in_time = False if now > resolve_by else None
    if responded is None:
        # Both clocks run; the one that ends first is what staff must beat.
        deadline = min(respond_by, resolve_by)
        return Clock(
            Stage.RESPONSE,
            respond_by,
            resolve_by,
            deadline,
            deadline - now,
            response_in_time,
            resolution_in_time,
        )
    return Clock(
        Stage.RESOLUTION,
        respond_by,
        resolve_by,
        resolve_by,
        resolve_by - now,
        response_in_time,
        resolution_in_time,
    )
