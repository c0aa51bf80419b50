"""The gateway's own Prometheus metrics, beside the messaging ones every service exposes (``shared.metrics``)."""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("bilum_http_requests", "HTTP requests answered", ["service", "method", "route", "status"])
HTTP_DURATION = Histogram("bilum_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"])
