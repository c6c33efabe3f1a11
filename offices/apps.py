from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = "Offices"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from offices.sign_in import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="offices.sign_in.note_sign_in")
