from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The shared machinery of the import and export commands (the commands
    live in the apps that own the data) and the record of each import run."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
