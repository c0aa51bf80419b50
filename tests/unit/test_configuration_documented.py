"""The README's configuration table names exactly the environment variables the code reads.

A variable the code reads is a string literal that is a whole variable name (``"BILUM_MAX_ATTEMPTS"``, ``"AMQP_URI"``)
or an f-string built per service (``f"BILUM_{service.upper()}_DB"``), in the .py files of services/, shared/ and
bilum/ outside migrations. The table writes a per-service name as ``BILUM_<SERVICE>_DB``; both sides expand it to
every service of ``shared.config.SERVICES``, so a new service cannot go undocumented.
"""

import ast
import re
from pathlib import Path

from shared.config import SERVICES

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("services", "shared", "bilum")
PER_SERVICE = "<SERVICE>"
NAME = re.compile(r"BILUM_[A-Z0-9_]+|AMQP_URI")
TABLE_NAME = re.compile(r"`((?:BILUM_|AMQP_URI)[A-Z0-9_<>]*)`")


def _expand(name: str) -> set[str]:
    if PER_SERVICE not in name:
        return {name}
    return {name.replace(PER_SERVICE, service.upper()) for service in SERVICES}


def _name_in(node: ast.AST) -> str | None:
    """The variable name a literal spells, with ``<SERVICE>`` where an f-string puts a value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(part.value if isinstance(part, ast.Constant) else PER_SERVICE for part in node.values)
    else:
        return None
    return text if NAME.fullmatch(text.replace(PER_SERVICE, "X")) else None


def read_by_code(root: Path = ROOT) -> set[str]:
    """Every name spelt by a literal; the constant pieces of an f-string are judged only as the whole f-string."""
    names: set[str] = set()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            nodes = list(ast.walk(tree))
            pieces = {id(part) for node in nodes if isinstance(node, ast.JoinedStr) for part in node.values}
            for node in nodes:
                name = None if id(node) in pieces else _name_in(node)
                if name:
                    names |= _expand(name)
    return names


def documented(readme: str) -> set[str]:
    """The names in the first cell of each row of the README's ``## Configuration`` table."""
    section = re.split(r"^## Configuration$", readme, maxsplit=1, flags=re.MULTILINE)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        first_cell = line.split("|")[1]
        for name in TABLE_NAME.findall(first_cell):
            names |= _expand(name)
    return names


def differences(code: set[str], table: set[str]) -> str:
    """What each side lacks, as a message; empty when the table is true."""
    problems = []
    if code - table:
        problems.append(
            "read by the code but missing from the README's configuration table: " + ", ".join(sorted(code - table))
        )
    if table - code:
        problems.append("in the README's configuration table but read by no code: " + ", ".join(sorted(table - code)))
    return "\n".join(problems)


def test_the_configuration_table_names_every_variable_the_code_reads():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    problem = differences(read_by_code(), documented(readme))
    assert not problem, problem


def test_a_missing_row_is_reported_by_name():
    code = read_by_code()
    rows = [f"| `{name}` | unset | read by the code |" for name in sorted(code) if name != "BILUM_MAX_ATTEMPTS"]
    readme = "\n".join(
        [
            "# Bilum",
            "## Configuration",
            "| variable | default | meaning |",
            "|---|---|---|",
            *rows,
            "## Operations",
            "| `BILUM_NOT_A_SETTING` | a table of another section is no row |",
        ]
    )

    problem = differences(code, documented(readme))

    assert "BILUM_MAX_ATTEMPTS" in code
    assert problem == "read by the code but missing from the README's configuration table: BILUM_MAX_ATTEMPTS"


def test_a_row_no_code_reads_is_reported_by_name():
    assert differences({"AMQP_URI"}, {"AMQP_URI", "BILUM_GONE"}) == (
        "in the README's configuration table but read by no code: BILUM_GONE"
    )


def test_a_per_service_row_stands_for_every_service():
    table = "## Configuration\n\n| variable | default |\n|---|---|\n| `BILUM_<SERVICE>_DB` | unset |\n"

    assert documented(table) == {f"BILUM_{service.upper()}_DB" for service in SERVICES}
