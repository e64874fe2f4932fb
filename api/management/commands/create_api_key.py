from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Organization, User


class Command(BaseCommand):
    help = "Create an API key for a user and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="The email address of the user the key acts for.")
        parser.add_argument("--organization", type=int, help="Limit the key to this organisation (its id).")
        parser.add_argument("--name", default="command line", help="What the key is for.")
        parser.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)
        parser.add_argument("--expires", type=int, metavar="DAYS", help="Expire after this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with the email address {options['user']}.")
        organization = None
        if options["organization"] is not None:
            organization = Organization.objects.filter(pk=options["organization"]).first()
            if organization is None:
                raise CommandError(f"No organisation with id {options['organization']}.")
        try:
            key, secret = api_key_create(
                user=user,
                name=options["name"],
                scope=options["scope"],
                organization=organization,
                expires_in_days=options["expires"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Created key {key.prefix} ({key.scope}) for {user}"
            + (f", organisation {organization.pk}" if organization else "")
            + (f", expires {key.expiry_date:%Y-%m-%d}" if key.expiry_date else "")
            + ". It is shown once:"
        )
        self.stdout.write(secret)
