from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.models import Organization, User
from assessment.services import ServiceError
from review.services import consultant_assign


def _organization(pk: int, what: str) -> Organization:
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise CommandError(_("No %(what)s with id %(id)s.") % {"what": what, "id": pk})
    return organization


class Command(BaseCommand):
    help = (
        "Assign a consultant to verify an enterprise's assessments, as an operator (the enterprise need not have "
        "asked). Refused for a declared conflict of interest, or a member of the enterprise now or in the last "
        "two years."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--consultant", required=True, metavar="EMAIL", help=_("The consultant's e-mail address."))
        parser.add_argument("--organization", required=True, type=int, metavar="ID", help=_("The enterprise's id."))
        parser.add_argument(
            "--consultancy",
            type=int,
            metavar="ID",
            help=_("The consultancy the consultant verifies for (its id); they must be one of its consultants."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        consultant = User.objects.filter(email__iexact=options["consultant"].strip()).first()
        if consultant is None:
            raise CommandError(_("No user with the e-mail address %(email)s.") % {"email": options["consultant"]})
        organization = _organization(options["organization"], _("organisation"))
        consultancy = None
        if options["consultancy"] is not None:
            consultancy = _organization(options["consultancy"], _("consultancy"))
        try:
            consultant_assign(consultant=consultant, organization=organization, consultancy=consultancy)
        except (ServiceError, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        done = _("Assigned %(user)s to verify %(name)s (#%(id)s)") % {
            "user": consultant.email,
            "name": organization.name,
            "id": organization.pk,
        }
        if consultancy is not None:
            done += _(" for %(consultancy)s (#%(id)s)") % {"consultancy": consultancy.name, "id": consultancy.pk}
        self.stdout.write(done + ".")
