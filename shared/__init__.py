"""The package every ainav function imports: settings, database, models, services, routers."""

__version__ = "0.1.0"
