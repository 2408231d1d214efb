from django.core.management.base import BaseCommand, CommandError

from accounts.jwt import mint_local_token


class Command(BaseCommand):
    help = "Print a development JWT for EMAIL, signed by Argus's own issuer."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("email")
        parser.add_argument("--ttl", type=int, default=3600, help="Lifetime in seconds (default 3600)")
        parser.add_argument("--user-id", default=None, help="The token's subject (default: derived from EMAIL)")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        from django.conf import settings

        if settings.ARGUS_JWT["JWKS_URL"]:
            raise CommandError("ARGUS_JWT_JWKS_URL is set: tokens come from that issuer, not from Argus")
        if "@" not in options["email"]:
            raise CommandError("EMAIL must be an email address")
        if options["ttl"] <= 0:
            raise CommandError("--ttl must be positive")
        token = mint_local_token(email=options["email"], user_id=options["user_id"], ttl_seconds=options["ttl"])
        self.stdout.write(token)
