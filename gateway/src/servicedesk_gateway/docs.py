"""`GET /docs`: Swagger UI over `/openapi.json`, every file from the gateway itself.

Swagger UI's `swagger-ui-bundle.js` and `swagger-ui.css` come from the `fastapi-offline`
package (its `static/` folder, located without importing its FastAPI code) and are served
at `/docs/…`, next to the page's start-up code `/docs/init.js`. So the page's CSP allows
`'self'` only, with no CDN and no `'unsafe-inline'`
(https://content-security-policy.com/unsafe-inline/): nothing the page runs can change
without a new release of the gateway. The files are read once, on first use.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

HTML = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Service Desk API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

# validatorUrl: null, or Swagger UI asks validator.swagger.io about our document.
INIT_JS = b"""window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
});
"""

HTML_TYPE = (b"content-type", b"text/html; charset=utf-8")
JS_TYPE = (b"content-type", b"text/javascript; charset=utf-8")
CSS_TYPE = (b"content-type", b"text/css; charset=utf-8")
_PACKAGED = {"/docs/swagger-ui-bundle.js": JS_TYPE, "/docs/swagger-ui.css": CSS_TYPE}


def _static_dir() -> Path:
    spec = importlib.util.find_spec("fastapi_offline")  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed: /docs has no Swagger UI")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@functools.cache
def assets() -> dict[str, tuple[bytes, tuple[bytes, bytes]]]:
    """`{path: (body, content-type header)}` of every file the page loads but itself."""
    folder = _static_dir()
    files = {
        path: ((folder / path.rsplit("/", 1)[1]).read_bytes(), kind)
        for path, kind in _PACKAGED.items()
    }
    return {**files, "/docs/init.js": (INIT_JS, JS_TYPE)}
