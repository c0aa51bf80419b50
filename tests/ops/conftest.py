"""Shared helpers for the deployment-file tests (offline: no Docker, no cluster).

`build_kustomization` is a small, strict stand-in for `kustomize build`: it
supports exactly the kustomization fields used under k8s/ (resources,
namespace, labels, replicas, images, patches with strategic-merge or JSON 6902
bodies) and raises on anything else, so a new feature in an overlay makes the
tests fail instead of being silently ignored. When a real kustomize (or
kubectl) binary is on PATH, test_k8s.py compares this loader's output with it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.config import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "k8s"
OVERLAYS = ("small", "production")
BILUM_SERVICES = SERVICES
CONSUMER_SERVICES = tuple(s for s in BILUM_SERVICES if s != "gateway")

# Kinds that never get a namespace (only those that could plausibly appear here).
CLUSTER_SCOPED_KINDS = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ClusterIssuer",
}
SUPPORTED_KUSTOMIZATION_FIELDS = {
    "apiVersion",
    "kind",
    "namespace",
    "labels",
    "resources",
    "replicas",
    "images",
    "patches",
}
REPLICA_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}


class UnsupportedKustomization(Exception):
    """The kustomization uses something this loader does not implement."""


def load_yaml_documents(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


# --- patches --------------------------------------------------------------


def strategic_merge(base: Any, patch: Any) -> Any:
    """Strategic merge as kustomize applies it to the objects used here.

    Maps merge recursively and a null value deletes a key. Lists of maps that
    all carry a "name" (containers, env, volumes, ports) merge by name; every
    other list is replaced.
    """
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and base
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        merged_list = [copy.deepcopy(i) for i in base]
        index = {item["name"]: n for n, item in enumerate(merged_list)}
        for item in patch:
            if item["name"] in index:
                n = index[item["name"]]
                merged_list[n] = strategic_merge(merged_list[n], item)
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return copy.deepcopy(patch)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise UnsupportedKustomization(f"JSON patch path must start with '/': {path}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json6902(obj: dict, operations: list[dict]) -> dict:
    """RFC 6902 add / replace / remove / test."""
    result = copy.deepcopy(obj)
    for op in operations:
        *parents, last = _pointer(op["path"])
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        kind = op["op"]
        if kind == "test":
            current = node[int(last)] if isinstance(node, list) else node[last]
            if current != op["value"]:
                raise AssertionError(f"JSON patch test failed at {op['path']}")
        elif kind == "remove":
            if isinstance(node, list):
                del node[int(last)]
            else:
                del node[last]
        elif kind == "replace":
            if isinstance(node, list):
                node[int(last)] = copy.deepcopy(op["value"])
            else:
                if last not in node:
                    raise KeyError(f"JSON patch replace of missing {op['path']}")
                node[last] = copy.deepcopy(op["value"])
        elif kind == "add":
            if isinstance(node, list):
                position = len(node) if last == "-" else int(last)
                node.insert(position, copy.deepcopy(op["value"]))
            else:
                node[last] = copy.deepcopy(op["value"])
        else:
            raise UnsupportedKustomization(f"JSON patch op {kind!r}")
    return result


def _group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def _matches_target(obj: dict, target: dict) -> bool:
    unknown = set(target) - {"group", "version", "kind", "name", "namespace", "labelSelector"}
    if unknown:
        raise UnsupportedKustomization(f"patch target fields {sorted(unknown)}")
    meta = obj.get("metadata", {})
    if "kind" in target and obj.get("kind") != target["kind"]:
        return False
    if "group" in target and _group(obj.get("apiVersion", "")) != target["group"]:
        return False
    if "version" in target and obj.get("apiVersion", "").split("/")[-1] != target["version"]:
        return False
    if "name" in target and not re.fullmatch(target["name"], meta.get("name", "")):
        return False
    if "namespace" in target and meta.get("namespace") != target["namespace"]:
        return False
    if "labelSelector" in target:
        labels = meta.get("labels", {})
        for term in target["labelSelector"].split(","):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _apply_patch(objects: list[dict], entry: dict, base_dir: Path) -> list[dict]:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise UnsupportedKustomization(f"patch fields {sorted(unknown)}")
    text = (base_dir / entry["path"]).read_text(encoding="utf-8") if "path" in entry else entry["patch"]
    body = yaml.safe_load(text)
    target = entry.get("target")
    if isinstance(body, list):  # JSON 6902
        if target is None:
            raise UnsupportedKustomization("a JSON 6902 patch needs a target")
        selected = [o for o in objects if _matches_target(o, target)]
        if not selected:
            raise UnsupportedKustomization(f"patch target {target} matches nothing")
        return [json6902(o, body) if o in selected else o for o in objects]
    # strategic merge
    if target is None:
        target = {"kind": body["kind"], "name": re.escape(body["metadata"]["name"])}
        if "apiVersion" in body:
            target["group"] = _group(body["apiVersion"])
    selected_ids = [id(o) for o in objects if _matches_target(o, target)]
    if not selected_ids:
        raise UnsupportedKustomization(f"patch target {target} matches nothing")
    patch = copy.deepcopy(body)
    patch.pop("apiVersion", None)
    patch.pop("kind", None)
    patch.get("metadata", {}).pop("name", None)
    if patch.get("metadata") == {}:
        patch.pop("metadata")
    return [strategic_merge(o, patch) if id(o) in selected_ids else o for o in objects]


# --- other transformers ---------------------------------------------------


def _set_images(node: Any, images: list[dict]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    image = container.get("image", "")
                    name = re.split(r"[@]", image)[0]
                    name = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
                    for rule in images:
                        if rule["name"] == name:
                            new_name = rule.get("newName", name)
                            if "digest" in rule:
                                container["image"] = f"{new_name}@{rule['digest']}"
                            else:
                                tag = rule.get("newTag", image[len(name) + 1 :] if image != name else "")
                                container["image"] = f"{new_name}:{tag}" if tag else new_name
            else:
                _set_images(value, images)
    elif isinstance(node, list):
        for item in node:
            _set_images(item, images)


def build_kustomization(directory: Path) -> list[dict]:
    """Render the kustomization in `directory` like `kustomize build` would."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - SUPPORTED_KUSTOMIZATION_FIELDS
    if unknown:
        raise UnsupportedKustomization(f"{directory}: fields {sorted(unknown)}")

    objects: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = (directory / resource).resolve()
        if path.is_dir():
            objects.extend(build_kustomization(path))
        else:
            objects.extend(load_yaml_documents(path))

    for entry in kustomization.get("patches", []):
        objects = _apply_patch(objects, entry, directory)

    namespace = kustomization.get("namespace")
    if namespace:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED_KINDS:
                obj.setdefault("metadata", {})["namespace"] = namespace

    for label_set in kustomization.get("labels", []):
        unknown = set(label_set) - {"pairs", "includeSelectors"}
        if unknown or label_set.get("includeSelectors"):
            raise UnsupportedKustomization(f"labels options {sorted(unknown) or ['includeSelectors: true']}")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])

    for replica in kustomization.get("replicas", []):
        hits = [o for o in objects if o["kind"] in REPLICA_KINDS and o["metadata"]["name"] == replica["name"]]
        if not hits:
            raise UnsupportedKustomization(f"replicas: nothing named {replica['name']}")
        for obj in hits:
            obj["spec"]["replicas"] = replica["count"]

    images = kustomization.get("images", [])
    if images:
        for obj in objects:
            _set_images(obj, images)

    return objects


# --- fixtures -------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def compose() -> dict:
    with (REPO_ROOT / "docker-compose.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def rendered_overlays() -> dict[str, list[dict]]:
    return {name: build_kustomization(K8S_DIR / "overlays" / name) for name in OVERLAYS}
