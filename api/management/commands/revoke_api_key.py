from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiKey
from api.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key for good, by its prefix (the part before the dot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The key's prefix, e.g. 3kZ9q1Xa from 3kZ9q1Xa.secret…")

    def handle(self, *args: Any, **options: Any) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"].partition(".")[0]).first()
        if key is None:
            raise CommandError(f"No API key with the prefix {options['prefix']!r}.")
        api_key_revoke(key=key)
        self.stdout.write(f"Revoked {key.prefix} ({key.name}, {key.user}).")
