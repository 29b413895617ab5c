"""The app factory: `create_app(settings)` wires database, middleware, error handlers and routes."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from . import errors
from .config import Settings
from .db import make_engine, make_sessionmaker, upgrade
from .deps import require_user
from .middleware import BodyLimit, RequestContext
from .views import local_time

HERE = Path(__file__).parent
#: routes that answer without a session (everything else: 401 or a redirect to /login)
PUBLIC_PATHS = ("/health", "/login", "/static")


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    app = FastAPI(title="chartsift reviewer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine, settings.audit_head_file)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates.env.filters["local"] = partial(local_time, zone=settings.timezone)
    errors.install(app)
    from . import routes_auth, routes_cases, routes_import, routes_review

    app.include_router(routes_auth.public)
    app.include_router(routes_auth.private, dependencies=[Depends(require_user)])
    app.include_router(routes_cases.router, dependencies=[Depends(require_user)])
    app.include_router(routes_review.router, dependencies=[Depends(require_user)])
    app.include_router(routes_import.router, dependencies=[Depends(require_user)])
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(RequestContext)
    return app


def iter_routes(routes=None, app: FastAPI | None = None):
    """Every endpoint route of the app, also those of included routers (FastAPI >= 0.120 keeps them
    behind `_IncludedRouter.original_router` instead of copying them into `app.routes`)."""
    for route in routes if routes is not None else app.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from iter_routes(inner.routes)
        else:
            yield route
