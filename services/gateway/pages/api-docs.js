// Swagger UI on the gateway's own OpenAPI document. Nothing is fetched from anywhere else: no validator badge
// (validatorUrl null), no address bar to load another document (the base layout, not the standalone one), and
// "Try it out" calls this gateway, whose answers the reference describes.
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
  displayOperationId: true,
  filter: true,
});
