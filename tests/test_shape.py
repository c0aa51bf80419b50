"""Every service reads the same way: a pure domain, small modules, settings read in one place, a thin service.py."""

import ast
from pathlib import Path

from tests.test_architecture import ROOT, SERVICES, _imports

MOST_LINES = 350
# Data, not logic: message texts, the event contract's declarations, the demonstration's scenario (and migrations).
DATA_MODULES = {"services/notification/message_texts.py", "shared/contract.py", "bilum/demo_data.py"}
# What a domain module may not touch: the database, the broker, the network, the disk.
IMPURE = ("sqlalchemy", "nameko", "kombu", "amqp", "pika", "requests", "smtplib", "socket", "eventlet", "os")
SETTINGS_MODULES = {f"services/{service}/settings.py" for service in SERVICES} | {
    "shared/config.py",
    "bilum/settings.py",
}


def _code_modules():
    for top in ("services", "shared", "bilum"):
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path


def modules_too_long(limit: int = MOST_LINES) -> list[str]:
    return [
        f"{relative}: {count} lines"
        for relative, path in _code_modules()
        if relative not in DATA_MODULES and (count := len(path.read_text().splitlines())) > limit
    ]


def impure_domain_imports() -> list[str]:
    found = []
    for service in SERVICES:
        package = ROOT / "services" / service
        for path in [package / "domain.py", *sorted((package / "domain").glob("*.py"))]:
            if path.exists():
                found += [
                    f"{path.relative_to(ROOT)} imports {name}"
                    for name in _imports(path)
                    if name.split(".")[0] in IMPURE
                ]
    return found


def environment_reads_outside_settings() -> list[str]:
    """``os.environ`` / ``os.getenv`` anywhere but the settings modules (a child process's environment handed on by
    the supervisor is built, not read)."""
    found = []
    for relative, path in _code_modules():
        if relative in SETTINGS_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in ("environ", "getenv")
            ):
                found.append(f"{relative}:{node.lineno} reads os.{node.attr}")
    return found


def fat_entrypoints(service_py: Path, most_statements: int = 3) -> list[str]:
    """Entrypoint methods of a service.py that do more than hand over to a use case."""
    tree = ast.parse(service_py.read_text())
    return [
        f"{service_py.parent.name}/{service_py.name}: {node.name} has {len(node.body)} statements"
        for cls in tree.body
        if isinstance(cls, ast.ClassDef) and cls.name.endswith("Service")
        for node in cls.body
        if isinstance(node, ast.FunctionDef)
        and len(
            [
                statement
                for statement in node.body
                if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Constant)
            ]
        )
        > most_statements
    ]


def test_no_module_is_over_350_lines_except_data():
    assert modules_too_long() == []


def test_the_length_check_sees_a_long_module():
    assert modules_too_long(limit=50) != []


def test_every_domain_is_pure():
    assert impure_domain_imports() == []


def test_the_environment_is_read_only_in_settings_modules():
    assert environment_reads_outside_settings() == []


def test_every_service_py_only_hands_over_to_use_cases():
    assert [fat for service in SERVICES for fat in fat_entrypoints(ROOT / "services" / service / "service.py")] == []


def test_the_thinness_check_sees_a_fat_entrypoint(tmp_path):
    service_py = tmp_path / "service.py"
    service_py.write_text(
        "class ProbeService:\n    def work(self):\n        a = 1\n        b = 2\n        c = 3\n"
        "        return a + b + c\n"
    )
    assert fat_entrypoints(service_py) == [f"{tmp_path.name}/service.py: work has 4 statements"]
