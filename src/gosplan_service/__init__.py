"""The planning office service: a JSON API (and pages) over the ``gosplan`` library.

Installed with the extra ``[service]``; the library never imports this package. The layout,
the domain, the role matrix and the HTTP contract are described in ``docs/service.md``.

:func:`gosplan_service.app.create_app` builds the application;
:class:`gosplan_service.settings.Settings` configures it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
