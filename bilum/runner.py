"""Run one nameko service in this process, with its ops server (health and Prometheus metrics).

The caller must have called ``eventlet.monkey_patch()`` before anything else was imported.
"""

import errno
import logging
import signal

import eventlet
from eventlet import wsgi
from nameko.runners import ServiceRunner
from prometheus_client import make_wsgi_app

from shared import config
from shared.logging import configure

log = logging.getLogger(__name__)


class OpsApp:
    """GET /health/live, /health/ready and /metrics on the service's ops port."""

    def __init__(self):
        self.ready = False
        self.metrics = make_wsgi_app()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self.metrics(environ, start_response)
        if path == "/health/live":
            return self._answer(start_response, "200 OK", b'{"status": "live"}')
        if path == "/health/ready":
            if self.ready:
                return self._answer(start_response, "200 OK", b'{"status": "ready"}')
            return self._answer(start_response, "503 Service Unavailable", b'{"status": "starting"}')
        return self._answer(start_response, "404 Not Found", b'{"error": "not found"}')

    @staticmethod
    def _answer(start_response, status, body):
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _keep_hub_awake():
    """An idle eventlet hub can take a minute to notice SIGTERM; a ticking green thread keeps it prompt."""
    while True:
        eventlet.sleep(0.5)


def run_service(service_cls) -> None:
    service = service_cls.name
    configure(service)
    ops = OpsApp()
    ops_socket = eventlet.listen(("0.0.0.0", config.ops_port(service)))
    eventlet.spawn(wsgi.server, ops_socket, ops, log_output=False)
    eventlet.spawn(_keep_hub_awake)

    runner = ServiceRunner(config.nameko_config(service))
    runner.add_service(service_cls)

    def shutdown(signum, frame):
        ops.ready = False
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    runner.start()
    ops.ready = True
    log.info("service ready", extra={"ops_port": config.ops_port(service)})
    running = eventlet.spawn(runner.wait)
    while True:
        try:
            running.wait()
        except OSError as error:
            if error.errno == errno.EINTR:
                continue
            raise
        except KeyboardInterrupt:
            ops.ready = False
            try:
                runner.stop()
            except KeyboardInterrupt:
                runner.kill()
        else:
            break
    log.info("service stopped")
