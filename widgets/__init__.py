"""ipywidgets components of the dashboard, composed from the core package ``briefing``."""
