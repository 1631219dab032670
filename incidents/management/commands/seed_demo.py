"""Create the demo branches, staff and cases, and print the demo sign-ins."""

from django.core.management.base import BaseCommand

from incidents.devdata.demo import seed_demo


class Command(BaseCommand):
    """``python manage.py seed_demo``."""

    help = "Create demo branches, one member of staff per role and a handful of cases."

    def handle(self, *args, **options) -> None:
        accounts = seed_demo()
        self.stdout.write("Demo sign-ins (username / role / password):")
        for username, role, password in accounts:
            self.stdout.write(f"  {username:<12} {role:<14} {password}")
