from django.core.management.base import BaseCommand, CommandError

from service_requests.open311.keys import create_client


class Command(BaseCommand):
    help = ("Make an Open311 client and its api_key. The key is printed once: only its SHA-256 "
            "is stored, so give it to the client now.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for (an app, a partner)")

    def handle(self, *args, name, **opts):
        try:
            client, key = create_client(name=name)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(f"Open311 client #{client.pk} \"{client.name}\"; its api_key "
                          "(shown only now):")
        self.stdout.write(key)
