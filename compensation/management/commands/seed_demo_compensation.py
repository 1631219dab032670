"""Add compensation decisions to the demo data (run after ``seed_demo``)."""

from django.core.management.base import BaseCommand

from compensation.devdata.demo import seed_demo_compensation


class Command(BaseCommand):
    """``python manage.py seed_demo_compensation``."""

    help = "Decide one demo case and put another in review (after seed_demo); safe to run again."

    def handle(self, *args, **options) -> None:
        for line in seed_demo_compensation():
            self.stdout.write(f"  compensation: {line}")
