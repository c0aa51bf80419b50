"""``bilum``: run, migrate, up, demo, catalogue, openapi, users, dlq. Imports stay inside the commands: ``run`` must
monkey-patch eventlet before anything network-related is imported."""

import argparse
import json
import secrets
import signal
import sys
import warnings

from shared.config import SERVICES


def _run(args) -> int:
    import eventlet

    eventlet.monkey_patch()
    import importlib

    from bilum.runner import run_service

    module = importlib.import_module(f"services.{args.service}.service")
    service_cls = next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and getattr(value, "name", None) == args.service
    )
    run_service(service_cls)
    return 0


def _migrate(args) -> int:
    from shared import migrations

    if args.new:
        migrations.new_revision(args.new, args.message)
        return 0
    migrations.upgrade_all()
    print("migrations applied: " + ", ".join(migrations.MIGRATED_SERVICES), file=sys.stderr)
    return 0


def _start(supervisor) -> None:
    from bilum import settings
    from shared import migrations

    # Every gateway process started here signs and checks sign-in tokens with the same key.
    settings.hand_on_unless_set("BILUM_JWT_SECRET", secrets.token_urlsafe(32))

    migrations.upgrade_all()
    print("starting services...", file=sys.stderr)
    supervisor.start()


def _up(args) -> int:
    from bilum import settings
    from bilum.supervisor import Supervisor, check_broker

    check_broker()
    supervisor = Supervisor()
    try:
        _start(supervisor)
        gateway_url = settings.load().gateway_url
        print(
            f"Bilum is up.\n  API:       {gateway_url}/api/v1\n"
            f"  Dashboard: {gateway_url}/dashboard\n  Logs:      {supervisor.log_dir}\n"
            "Ctrl-C stops every service.",
            file=sys.stderr,
        )
        supervisor.wait()
    except KeyboardInterrupt:
        print("\nstopping...", file=sys.stderr)
    finally:
        supervisor.stop()
    return 0


def _demo(args) -> int:
    from bilum import demo_providers, demo_slate, demo_users, settings
    from bilum.demo import Demo
    from bilum.demo_http import Api, DemoFailed
    from bilum.demo_report import print_report, report_json
    from bilum.supervisor import Supervisor, check_broker, ready

    check_broker()
    # Without Kannel, the demo plays the SMS provider: it signs producers' replies with the secret the services check.
    settings.hand_on_unless_set("BILUM_SMS_INBOUND_SECRET", secrets.token_hex(16))
    supervisor = momo = kannel = None
    try:
        if ready("gateway"):
            print("using the services already running", file=sys.stderr)
        else:
            demo_slate.clean_slate(sys.stderr)
            momo = demo_providers.mobile_money_sandbox()
            kannel = demo_providers.local_kannel()
            supervisor = Supervisor()
            _start(supervisor)
        admin, buyers, staff = demo_users.credentials()
        configured = settings.load()
        demo = Demo(
            Api(configured.gateway_url, admin),
            configured.sms_inbound_secret,
            configured.var_dir / "demo-catalogues",
            buyer_credentials=buyers,
            staff_credentials=staff,
            momo=momo,
            phone=kannel,
        )
        report = demo.run()
        demo_users.print_sign_ins(sys.stderr, next(iter(demo.producer_ids.values()), None))
        print_report(report, sys.stderr if args.json else sys.stdout)
        print(f"Dashboard: {configured.gateway_url}/dashboard", file=sys.stderr)
        if args.json:
            print(report_json(report), flush=True)
        if args.serve and supervisor:
            print("The services keep running; Ctrl-C stops them.", file=sys.stderr)
            supervisor.wait()
    except DemoFailed as error:
        logs = f" (the services' logs: {supervisor.log_dir})" if supervisor else ""
        print(f"the demo failed: {error}{logs}", file=sys.stderr)
        return 1
    finally:
        if supervisor:
            supervisor.stop()
        if momo:
            momo.stop()
        if kannel:
            kannel.stop()
    return 0


def _dlq(args) -> int:
    from bilum import dead_letters, settings
    from bilum.supervisor import check_broker

    check_broker()
    amqp_uri = settings.load().amqp_uri
    if args.action == "list":
        letters = dead_letters.list_dead_letters(amqp_uri)
        if args.json:
            print(json.dumps([letter.as_dict() for letter in letters], default=str))
        elif not letters:
            print("the dead-letter queue is empty")
        for letter in letters if not args.json else ():
            print(
                f"#{letter.position} {letter.queue} after {letter.attempts} attempt(s) at {letter.parked_at}\n"
                f"   reason: {letter.reason}\n   message: {letter.message_id}"
            )
        return 0
    positions = None if args.all else set(args.positions)
    if positions is not None and not positions:
        print("name the positions to replay (from `bilum dlq list`) or pass --all", file=sys.stderr)
        return 2
    replayed = dead_letters.replay(amqp_uri, positions)
    print(f"replayed {len(replayed)} message(s)")
    for letter in replayed:
        print(f"  #{letter.position} -> {letter.queue}")
    return 0


def _catalogue(args) -> int:
    """Works on the catalogue's database directly, so a catalogue can be published with the services stopped;
    imported capacity is announced when the catalogue service next runs (its outbox)."""
    import base64
    from pathlib import Path

    from services.catalogue import capacity, themes
    from services.catalogue.store import inbox, outbox
    from shared import migrations
    from shared.errors import ServiceError
    from shared.store import Database

    migrations.upgrade("catalogue")
    db = Database("catalogue", outbox, inbox)
    try:
        with db.transaction() as uow:
            if args.action == "export":
                options = {"format": args.format, "language": args.language, "paper": args.paper}
                if args.format == "pdf":
                    options["layout"] = args.layout
                document = base64.b64decode(themes.export_theme(uow, args.theme, options)["data"])
                Path(args.output).write_bytes(document)
                print(f"catalogue {args.theme} written to {args.output} ({len(document)} bytes)", file=sys.stderr)
            else:
                result = capacity.import_capacity(uow, Path(args.file).read_text(encoding="utf-8"))
                print(json.dumps(result))
    except ServiceError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    finally:
        db.engine.dispose()
    return 0


def _openapi(args) -> int:
    from bilum import openapi

    if args.write:
        openapi.write()
        return 0
    sys.stdout.write(openapi.text())
    return 0


def _users(args) -> int:
    from getpass import getpass

    from bilum import users

    if args.action == "create":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass("password: ")
        print(json.dumps(users.create(args.username, password, args.role, args.organisation, args.producer)))
    else:
        print(users.api_key(args.username, args.name))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="bilum", description="Order aggregation for networks of micro-producers.")
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one service in the foreground")
    run.add_argument("service", choices=SERVICES)
    run.set_defaults(handler=_run)

    migrate = commands.add_parser("migrate", help="apply every service's database migrations")
    migrate.add_argument("--new", choices=SERVICES, help="instead, autogenerate a migration of this service")
    migrate.add_argument("-m", "--message", default="change", help="the new migration's message")
    migrate.set_defaults(handler=_migrate)

    up = commands.add_parser("up", help="run every service until Ctrl-C")
    up.set_defaults(handler=_up)

    demo = commands.add_parser("demo", help="seed a realistic scenario and drive it to delivery over the HTTP API")
    demo.add_argument("--json", action="store_true", help="end with the report as one JSON line on stdout")
    demo.add_argument("--serve", action="store_true", help="keep the services running afterwards (Ctrl-C stops)")
    demo.set_defaults(handler=_demo)

    catalogue = commands.add_parser("catalogue", help="publish a themed catalogue, or import capacity from CSV")
    catalogue_actions = catalogue.add_subparsers(dest="action", required=True)
    export = catalogue_actions.add_parser("export", help="write a themed catalogue as HTML, PDF or CSV")
    export.add_argument("--theme", required=True, help="the theme's name")
    export.add_argument("--format", required=True, choices=("html", "pdf", "csv"))
    export.add_argument("--layout", default="booklet", choices=("flyer", "leaflet", "booklet"), help="for a PDF")
    export.add_argument("--language", default="en", choices=("en", "fr", "ja"))
    export.add_argument("--paper", default="a4", choices=("a4", "letter"))
    export.add_argument("--output", required=True, help="the file to write")
    capacity = catalogue_actions.add_parser("import-capacity", help="import capacity calendars from a CSV file")
    capacity.add_argument("file")
    catalogue.set_defaults(handler=_catalogue)

    document = commands.add_parser("openapi", help="print the API's OpenAPI 3 document")
    document.add_argument("--write", action="store_true", help="instead, refresh the document the gateway serves")
    document.set_defaults(handler=_openapi)

    users = commands.add_parser("users", help="make users and API keys (the first admin, machine clients)")
    user_actions = users.add_subparsers(dest="action", required=True)
    create = user_actions.add_parser("create", help="make a user; the password is read from standard input")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=("admin", "aggregator", "inspector", "buyer", "producer"))
    create.add_argument("--organisation", help="the organisation of an aggregator, inspector or buyer")
    create.add_argument("--producer", help="the producer a producer user acts for")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (else it is asked for)"
    )
    key = user_actions.add_parser("api-key", help="make an API key acting as a user; printed once")
    key.add_argument("username")
    key.add_argument("--name", default="command line", help="what the key is for")
    users.set_defaults(handler=_users)

    dlq = commands.add_parser("dlq", help="list or replay dead letters")
    dlq.add_argument("action", choices=("list", "replay"))
    dlq.add_argument("positions", nargs="*", type=int, help="with replay: positions shown by `bilum dlq list`")
    dlq.add_argument("--all", action="store_true", help="with replay: every dead letter")
    dlq.add_argument("--json", action="store_true", help="with list: JSON")
    dlq.set_defaults(handler=_dlq)
    return root


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (a service manager, a container runtime) both stop every service cleanly; SIGINT is
    restored even where the parent shell started us with it ignored."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv=None) -> int:
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    args = parser().parse_args(argv)
    if args.command == "run":
        # Before any other import: a module that binds ``time.sleep`` or socket functions before eventlet patches
        # them (kombu's reconnection backoff did) blocks the whole service while it waits.
        return _run(args)
    if args.command in ("up", "demo"):
        _stop_on_signals()
    from bilum.supervisor import BrokerUnreachable
    from shared.errors import EXPECTED, InvalidInput

    try:
        return args.handler(args)
    except BrokerUnreachable as error:
        print(str(error), file=sys.stderr)
        return 2
    except InvalidInput as error:
        print(f"{error.message}: {json.dumps(error.fields)}", file=sys.stderr)
        return 2
    except EXPECTED as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
