from django.apps import AppConfig


class DispatchesConfig(AppConfig):
    name = "dispatches"
    verbose_name = "Dispatches (bags between offices)"

    def ready(self):
        # A parcel in a bag moves only with its bag: the package service asks this app.
        from shipments import holds

        from .selectors import bag_holds

        holds.register(bag_holds)
