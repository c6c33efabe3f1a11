from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data (`manage.py seed_demo`): installed by the local and
    test settings only, never deployed."""

    name = "demo"
    verbose_name = "Demo data"
