// Starts Swagger UI (the vendored bundle served under /docs/) on /openapi.json.
(function () {
  'use strict';
  var el = document.getElementById('swagger-ui');
  if (!el || typeof window.SwaggerUIBundle !== 'function') {
    if (el) el.textContent = 'The docs viewer could not start. The OpenAPI document is at /openapi.json.';
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: el.getAttribute('data-url') || '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
  });
})();
