"""Services are coupled only through the event contract in shared/: none imports another's modules."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "service.py").exists())


def _imports(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_of_other_services(service: str) -> list[str]:
    found = []
    for path in (ROOT / "services" / service).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "services" and len(parts) > 1 and parts[1] != service:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
            if parts[0] == "bilum":
                found.append(f"{path.relative_to(ROOT)} imports the command line ({name})")
    return found


def test_all_seven_services_are_there():
    assert SERVICES == ["aggregation", "catalogue", "consolidation", "gateway", "notification", "orders", "settlement"]


def test_no_service_imports_another_service():
    violations = [v for service in SERVICES for v in imports_of_other_services(service)]
    assert violations == []


def test_the_check_sees_a_violation_when_there_is_one(tmp_path, monkeypatch):
    fake = tmp_path / "services" / "orders"
    fake.mkdir(parents=True)
    (fake / "service.py").write_text("from services.aggregation.allocation import allocate\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert imports_of_other_services("orders") == [
        "services/orders/service.py imports services.aggregation.allocation",
        "services/orders/service.py imports services.aggregation.allocation.allocate",
    ]


def test_shared_depends_on_no_service():
    for path in (ROOT / "shared").rglob("*.py"):
        assert not [name for name in _imports(path) if name.split(".")[0] in ("services", "bilum")], path


def test_services_take_rpc_and_consume_from_shared_messaging_which_survive_a_lost_broker_connection():
    """nameko's own ``rpc`` and ``consume`` kill the service when a reply or an ack meets a reset connection."""
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "services").rglob("*.py")
        for name in _imports(path)
        if name in ("nameko.rpc.rpc", "nameko.messaging.consume")
    ]
    assert found == []
