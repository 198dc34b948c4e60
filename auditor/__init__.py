"""auditor: quarterly checks of a Home-Start scheme's website and social accounts."""

__version__ = "0.1.0"
