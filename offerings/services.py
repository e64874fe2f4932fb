"""Writes for offerings: providers publish, change and unpublish them; an SME asks for contact (a referral) and
both sides follow it up; the offering's contact hears of each request by e-mail (the referral row is its outbox).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.models import Membership, Organization, User
from assessment.services import NotAllowedError, ServiceError, TransitionError
from offerings.models import Offering, Referral
from offerings.selectors import framework_level_range, framework_question_keys, frameworks_published, may_publish

OFFERING_FIELDS = frozenset(
    {
        "kind",
        "title",
        "description",
        "framework",
        "question_keys",
        "level_min",
        "level_max",
        "provinces",
        "sectors",
        "size_bands",
        "price",
        "subsidy",
        "contact_name",
        "contact_email",
        "contact_phone",
        "url",
        "active",
    }
)
TEXT_LIMIT = 2000  # a referral's message and note (TextField's max_length is not a validator)
DESCRIPTION_LIMIT = 4000
# Who acts on a referral: at the provider, its members except read-only viewers; at the SME, those who answer.
PROVIDER_ACTORS = Membership.PROGRAMME_ANALYSTS
SME_ACTORS = Membership.CONTRIBUTORS
NEXT_STATUSES = {
    Referral.Status.REQUESTED: frozenset({Referral.Status.PROGRESSED, Referral.Status.CLOSED}),
    Referral.Status.PROGRESSED: frozenset({Referral.Status.PROGRESSED, Referral.Status.CLOSED}),
    Referral.Status.CLOSED: frozenset(),
}


def _unique(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


def _offering_check(offering: Offering) -> None:
    """Every rule of an offering, all problems at once: the model's field rules, then the framework's keys and
    levels and the classification's provinces, sectors and size bands."""
    errors: dict[str, list[str]] = {}
    try:
        offering.full_clean(exclude=["provider", "created_by"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(offering.description) > DESCRIPTION_LIMIT:
        errors.setdefault("description", []).append(
            gettext("At most %(limit)d characters.") % {"limit": DESCRIPTION_LIMIT}
        )
    framework_id = offering.framework_id
    if framework_id is not None and not frameworks_published().filter(pk=framework_id).exists():
        errors.setdefault("framework", []).append(gettext("This framework has no published version."))
    elif framework_id is not None:
        keys = framework_question_keys(framework_id)
        unknown = [k for k in offering.question_keys if k not in keys]
        if not offering.question_keys:
            errors.setdefault("question_keys", []).append(gettext("Name at least one question or scenario."))
        elif unknown:
            errors.setdefault("question_keys", []).append(
                gettext("Not a question of this framework: %(keys)s") % {"keys": ", ".join(unknown[:5])}
            )
        levels = framework_level_range(framework_id)
        if levels and "level_min" not in errors and "level_max" not in errors:
            low, high = levels
            for name in ("level_min", "level_max"):
                if not low <= getattr(offering, name) <= high:
                    errors.setdefault(name, []).append(
                        gettext("This framework's levels run from %(low)d to %(high)d.") % {"low": low, "high": high}
                    )
            if offering.level_max < offering.level_min:
                errors.setdefault("level_max", []).append(gettext("The range ends below where it starts."))
    allowed = {
        "provinces": {code for code, _name in PROVINCES},
        "sectors": {code for code, _name in SECTORS},
        "size_bands": set(SizeBand.values),
    }
    for name, values in allowed.items():
        unknown = [v for v in getattr(offering, name) if v not in values]
        if unknown:
            errors.setdefault(name, []).append(gettext("Unknown: %(values)s") % {"values": ", ".join(unknown[:5])})
    if errors:
        raise ValidationError(errors)


def _apply(offering: Offering, fields: dict[str, Any]) -> list[str]:
    unknown = set(fields) - OFFERING_FIELDS
    if unknown:
        raise TypeError(f"Not an offering field: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("question_keys", "provinces", "sectors", "size_bands"):
            if not isinstance(value, list | tuple):
                raise ValidationError({name: [gettext("Give a list.")]})
            value = _unique(value)
        elif name == "description":
            value = " ".join(str(value).split())  # one paragraph: line breaks are control characters here
        elif isinstance(value, str):
            value = value.strip()
        setattr(offering, name, value)
    return list(fields)


def _require_publisher(user: User, provider: Organization) -> None:
    if not may_publish(user, provider):
        raise NotAllowedError(gettext("Only an operator's programme administrators publish its offerings."))


def offering_create(*, provider: Organization, created_by: User, **fields: Any) -> Offering:
    """Publish an offering for `provider` (an operator): checked against the framework and the classification."""
    _require_publisher(created_by, provider)
    offering = Offering(provider=provider, created_by=created_by)
    _apply(offering, fields)
    _offering_check(offering)
    offering.save()
    return offering


def offering_update(*, offering: Offering, updated_by: User, **fields: Any) -> Offering:
    """Change an offering (publishing or unpublishing it with `active`)."""
    _require_publisher(updated_by, offering.provider)
    try:
        changed = _apply(offering, fields)
        _offering_check(offering)
    except ValidationError:
        offering.refresh_from_db()  # the caller's instance stays as stored
        raise
    offering.save(update_fields=[*changed, "updated_at"])
    return offering


def offering_unpublish(*, offering: Offering, updated_by: User) -> Offering:
    """Take an offering off the SMEs' results; its referrals stay."""
    return offering_update(offering=offering, updated_by=updated_by, active=False)


# --- referrals ------------------------------------------------------------------------------------------------


def _text_limit(name: str, value: str, errors: dict[str, list[str]]) -> None:
    if len(value) > TEXT_LIMIT:
        errors.setdefault(name, []).append(gettext("At most %(limit)d characters.") % {"limit": TEXT_LIMIT})


@transaction.atomic
def referral_create(
    *,
    offering: Offering,
    organization: Organization,
    requested_by: User,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    message: str = "",
    share_results: bool = False,
    question_key: str = "",
) -> Referral:
    """An SME asks the offering's provider to contact it; the contact hears of it by e-mail after commit."""
    role = Membership.objects.filter(user=requested_by, organization=organization).values_list("role", flat=True)
    if organization.kind != Organization.Kind.SME or not set(role) & SME_ACTORS:
        raise NotAllowedError(gettext("Only an enterprise's owners and respondents ask for contact."))
    if not offering.active:
        raise ServiceError(gettext("This offering is no longer published."), field="offering")
    question_key = question_key.strip()
    if question_key and question_key not in offering.question_keys:
        raise ServiceError(gettext("This offering does not address that question."), field="question_key")
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one request at a time per SME
    if Referral.objects.filter(offering=offering, organization=organization).exclude(status="closed").exists():
        raise ServiceError(gettext("You have asked this provider already; the request is open."), field="offering")
    referral = Referral(
        offering=offering,
        organization=organization,
        requested_by=requested_by,
        question_key=question_key,
        message=message.strip(),
        share_results=share_results,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        referral.full_clean(exclude=["offering", "organization", "requested_by", "updated_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _text_limit("message", referral.message, errors)
    if errors:
        raise ValidationError(errors)
    referral.save()
    from offerings.tasks import referral_notify_task  # the task module imports this one

    transaction.on_commit(partial(referral_notify_task.delay, referral.pk), robust=True)
    return referral


def referral_status_set(
    *, referral: Referral, updated_by: User, status: str | None = None, outcome: str = ""
) -> Referral:
    """Either side marks a referral in progress or closed, with a note (without `status`: the note alone); a closed
    one stays closed."""
    roles = set(
        Membership.objects.filter(
            user=updated_by, organization__in=[referral.offering.provider_id, referral.organization_id]
        ).values_list("role", flat=True)
    )
    if not roles & (PROVIDER_ACTORS | SME_ACTORS):
        raise NotAllowedError(gettext("Your role does not allow changing this request."))
    if referral.status == Referral.Status.CLOSED:
        raise TransitionError(gettext("This request is closed."))
    if status is None:
        status = referral.status
    elif status not in NEXT_STATUSES[Referral.Status(referral.status)]:
        raise ServiceError(gettext("Mark it in progress or closed."), field="status")
    errors: dict[str, list[str]] = {}
    _text_limit("outcome", outcome, errors)
    if errors:
        raise ValidationError(errors)
    referral.status = status
    referral.outcome = outcome.strip() or referral.outcome
    referral.updated_by = updated_by
    referral.save(update_fields=["status", "outcome", "updated_by", "updated_at"])
    return referral


def _site_link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def referral_mail(referral: Referral) -> tuple[str, str]:
    """The subject and body of the e-mail to the offering's contact, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Contact request for %(offering)s") % {"offering": referral.offering.title}
        lines = [
            gettext("%(company)s asks you to contact them about %(offering)s.")
            % {"company": referral.organization.name, "offering": referral.offering.title},
            "",
            gettext("Contact: %(name)s, %(email)s %(phone)s")
            % {"name": referral.contact_name, "email": referral.contact_email, "phone": referral.contact_phone},
        ]
        if referral.question_key:
            lines.append(gettext("For: %(question)s") % {"question": referral.question_key})
        if referral.message:
            lines += ["", referral.message]
        lines += [
            "",
            gettext("Open the request: %(link)s") % {"link": _site_link(f"/offerings/referrals/{referral.pk}/")},
        ]
    return subject[:200], "\n".join(lines)


def referral_notify_send(*, referral_id: int) -> bool:
    """Send the e-mail of one referral unless it went already; a failure is recorded and left for the sweep."""
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("offering", "organization")
            .filter(pk=referral_id, notified_at__isnull=True)
            .first()
        )
        if referral is None or referral.notify_attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            return False
        referral.notify_attempts += 1
        subject, body = referral_mail(referral)
        try:
            send_mail(subject, body, None, [referral.offering.contact_email], fail_silently=False)
        except OSError as error:  # SMTP errors are OSErrors
            referral.notify_error = f"{type(error).__name__}: {error}"[:500]
            referral.save(update_fields=["notify_attempts", "notify_error"])
            return False
        referral.notified_at = timezone.now()
        referral.save(update_fields=["notify_attempts", "notified_at"])
        return True


def referrals_notify_sweep(*, batch: int = 100) -> int:
    """Send the e-mails a lost task or a mail-server outage left; returns how many went."""
    pending = Referral.objects.filter(
        notified_at__isnull=True, notify_attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
    ).values_list("pk", flat=True)[:batch]
    return sum(referral_notify_send(referral_id=pk) for pk in list(pending))
