from django.apps import AppConfig


class MapUiConfig(AppConfig):
    name = "map_ui"
    verbose_name = "Map UI"
