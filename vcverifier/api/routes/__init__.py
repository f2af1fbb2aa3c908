"""Routers of the service; each module's `build_router()` makes a fresh `APIRouter` per app."""
