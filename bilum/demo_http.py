"""HTTP as the demonstration's clients speak it: like any well-behaved client, they wait out a refusal for going too
fast (429) as long as its Retry-After says, then ask again. The gateway refuses before it does anything, so asking
again is safe whatever the method."""

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

# Each wait is the refusal's Retry-After: a second at the gateway's default rate, so this is half a minute at most.
RATE_LIMITED_RETRIES = 30


class _Patience(Retry):
    """Only 429: urllib3 would also repeat a 503 with a Retry-After, which the gateway answers when a service was
    too slow, perhaps after it did the work."""

    RETRY_AFTER_STATUS_CODES = frozenset({429})


def session(credentials: dict | None = None) -> requests.Session:
    http = requests.Session()
    http.headers.update(credentials or {})
    patience = _Patience(
        total=RATE_LIMITED_RETRIES,
        connect=0,
        read=False,
        status_forcelist=(429,),
        allowed_methods=None,
        raise_on_status=False,
    )
    for scheme in ("http://", "https://"):
        http.mount(scheme, HTTPAdapter(max_retries=patience))
    return http


class DemoFailed(RuntimeError):
    """The demonstration could not go on: what it asked was refused, or nothing moved."""


class Api:
    def __init__(self, base_url: str, credentials: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.http = session(credentials)

    def acting_as(self, credentials: dict) -> "Api":
        return Api(self.base_url, credentials)

    def request(self, method: str, path: str, expect=(200, 201), **kwargs):
        response = self.http.request(method, self.base_url + path, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise DemoFailed(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.status_code, response.json()

    def get(self, path: str, **params):
        return self.request("GET", path, params=params)[1]

    def download(self, path: str, **params) -> bytes:
        """A document (a PDF, a CSV file) rather than JSON."""
        response = self.http.get(self.base_url + path, params=params, timeout=60)
        if response.status_code != 200:
            raise DemoFailed(f"GET {path} answered {response.status_code}: {response.text[:500]}")
        return response.content

    def post(self, path: str, body=None, expect=(200, 201), headers=None):
        return self.request("POST", path, json=body or {}, expect=expect, headers=headers)

    def all_pages(self, path: str, **params):
        page = 1
        while True:
            result = self.get(path, page=page, page_size=100, **params)
            yield from result["items"]
            if page * result["page_size"] >= result["total"]:
                return
            page += 1
