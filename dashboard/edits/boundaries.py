"""Township boundaries from the admin page: the importer of ``models.boundaries`` behind the edit
layer's role check — the actor is the logged-in user, checked here (administrators only), not only
by the page that offers the form. Each call is one transaction of its own with one audit event
(``models.boundaries``); a refused role writes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from dashboard.edits import Actor
from models.boundaries import BoundaryReport, import_boundaries, remove_boundary
from models.enums import Role


def import_file(engine: Engine, text: str, *, actor: Actor, dry_run: bool = False, **options: Any) -> BoundaryReport:
    """Check (``dry_run``) or import a GeoJSON text of township boundaries as ``actor``."""
    actor.require(Role.ADMIN)
    return import_boundaries(engine, text, dry_run=dry_run, actor=actor.username, **options)


def remove(engine: Engine, code: str, *, actor: Actor) -> tuple[str, str]:
    """Remove one township's boundary as ``actor``; returns its (code, name)."""
    actor.require(Role.ADMIN)
    return remove_boundary(engine, code, actor=actor.username)
