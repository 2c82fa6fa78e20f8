"""`GET /docs`: Swagger UI over `/openapi.json`, without a byte of inline script.

The page loads swagger-ui from jsDelivr (pinned version) and its start-up code from
`/docs/init.js`, served here, so its CSP can stay `script-src 'self' https://cdn.jsdelivr.net`
with no `'unsafe-inline'` (https://content-security-policy.com/unsafe-inline/). The CDN is the
one outside origin any gateway page may load from, and only on this page.
"""

from __future__ import annotations

SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14"

HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Service Desk API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
""".encode()

INIT_JS = b"""window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
});
"""

HTML_TYPE = (b"content-type", b"text/html; charset=utf-8")
JS_TYPE = (b"content-type", b"text/javascript; charset=utf-8")
