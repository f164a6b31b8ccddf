from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Loads the demo municipality (data/pincourt/) through the real importers: `load_demo`."""

    name = "demo"
    verbose_name = "Demo"
