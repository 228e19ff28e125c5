"""infra/k8s: valid by the Kubernetes API schemas and consistent with the code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from infra_support import (
    COMMANDS,
    K8S,
    NOT_GIVEN,
    UVICORN_VARIABLES,
    cli_accepts,
    env_example,
    http_paths,
    image_port,
    load_all,
    server_cli_args,
    settings_variables,
)

from server.config import Settings

KUBERNETES = "1.33"
SECRETS = {
    "stsec-secrets": K8S / "secrets/app.env.example",
    "stsec-migration": K8S / "secrets/migration.env.example",
}
WORKLOAD = {
    "api": ("Deployment", "stsec-api"),
    "worker": ("Deployment", "stsec-worker"),
    "scheduler": ("Deployment", "stsec-scheduler"),
    "migrate": ("Job", "stsec-migrate"),
}


def manifests(root: Path = K8S) -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, doc)
        for path in sorted(root.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_all(path)
    ]


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for p, d in manifests() if p.parent == K8S}


def container(objects: dict[tuple[str, str], dict[str, Any]], role: str) -> dict[str, Any]:
    pod = objects[WORKLOAD[role]]["spec"]["template"]["spec"]
    (only,) = pod["containers"]
    return only  # type: ignore[no-any-return]


def given(objects: dict[tuple[str, str], dict[str, Any]], role: str) -> dict[str, str]:
    """The environment a workload's container gets: ConfigMaps, Secrets (their declared
    keys), then its own `env`."""
    c = container(objects, role)
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        if "configMapRef" in source:
            env |= objects[("ConfigMap", source["configMapRef"]["name"])]["data"]
        else:
            env |= env_example(SECRETS[source["secretRef"]["name"]])
    env |= {e["name"]: e["value"] for e in c.get("env", [])}
    return env


def test_every_manifest_is_valid_by_the_kubernetes_api_schema() -> None:
    found = manifests()
    assert len(found) >= 15
    for path, doc in found:
        try:
            kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.relative_to(K8S)} {doc['kind']}: {exc.message}")


@pytest.mark.parametrize("folder", [K8S, K8S / "data-access"])
def test_the_kustomization_lists_exactly_the_files_beside_it(folder: Path) -> None:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in folder.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_the_platform_runs_its_processes_and_only_references_the_data_services(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    kinds = {kind for kind, _ in objects}
    assert {
        "Deployment",
        "Job",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ConfigMap",
        "NetworkPolicy",
        "Service",
        "Ingress",
    } <= kinds
    # PostgreSQL, Redis and MinIO are operators' or managed services, never hand-rolled here.
    assert "StatefulSet" not in kinds and "PersistentVolumeClaim" not in kinds
    assert objects[WORKLOAD["api"]]["spec"]["replicas"] >= 2
    assert objects[WORKLOAD["scheduler"]]["spec"]["replicas"] >= 1


def test_each_workload_runs_a_command_the_cli_has(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    image = kustomization["images"][0]["name"]
    for role, command in COMMANDS.items():
        c = container(objects, role)
        assert c["image"] == image, role
        assert "command" not in c, "the image's entrypoint is python -m server.cli"
        assert c["args"] == command and cli_accepts(c["args"]) is None
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if "exec" in c.get(probe, {}):
                assert cli_accepts(server_cli_args(c[probe]["exec"]["command"])) is None


def test_every_setting_is_given_to_each_workload_and_nothing_unknown(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    known = settings_variables() | UVICORN_VARIABLES
    for role in COMMANDS:
        env = given(objects, role)
        assert set(env) <= known, f"{role}: variables no code reads: {set(env) - known}"
        missing = known - NOT_GIVEN[role] - set(env)
        assert not missing, f"{role} is not given {sorted(missing)}"
        assert not (set(env) & NOT_GIVEN[role]), f"{role} is given {set(env) & NOT_GIVEN[role]}"


def test_the_settings_parse_as_each_workload_gets_them(
    objects: dict[tuple[str, str], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in COMMANDS:
        for name in list(os.environ):
            if name in settings_variables():
                monkeypatch.delenv(name)
        for key, value in given(objects, role).items():
            monkeypatch.setenv(key, value)
        settings = Settings.from_env()
        assert settings.production and settings.cookie_secure
        assert settings.redis_url and settings.s3_endpoint and not settings.in_process_workers
        assert not settings.webhook_allow_private and not settings.seed_demo


def test_probes_and_ports_match_the_app(
    objects: dict[tuple[str, str], dict[str, Any]], app: Any
) -> None:
    api = container(objects, "api")
    (port,) = api["ports"]
    assert str(port["containerPort"]) == image_port() == given(objects, "api")["PORT"]
    paths = http_paths(app)
    probes = {name: api[name]["httpGet"] for name in ("livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"]["path"] == "/healthz" and "/healthz" in paths
    assert probes["readinessProbe"]["path"] == "/readyz" and "/readyz" in paths
    assert api["startupProbe"]["httpGet"]["path"] in paths
    for probe in probes.values():
        assert probe["port"] == port["name"]
    service = objects[("Service", "stsec-api")]["spec"]
    assert service["ports"][0]["targetPort"] == port["name"]
    ingress = objects[("Ingress", "stsec")]["spec"]
    backend = ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "stsec-api", "port": {"name": service["ports"][0]["name"]}}
    assert ingress["tls"], "TLS ends at the ingress"
    annotations = objects[WORKLOAD["api"]]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] in paths
    assert annotations["prometheus.io/port"] == str(port["containerPort"])


def test_every_container_has_requests_limits_and_runs_locked_down(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for role in COMMANDS:
        c = container(objects, role)
        pod = objects[WORKLOAD[role]]["spec"]["template"]["spec"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (role, kind)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        mounted = {m["mountPath"] for m in c.get("volumeMounts", [])}
        writable = "/tmp"  # noqa: S108 (a path in the manifests, not a file made here)
        assert writable in mounted, f"{role}: the read-only root needs a writable /tmp"
        if role in ("worker", "scheduler"):
            assert c["livenessProbe"]["exec"], role
            heartbeat = given(objects, role)["HEARTBEAT_FILE"]
            assert heartbeat.startswith(f"{writable}/"), "the heartbeat needs a writable volume"


def test_the_autoscaler_and_disruption_budgets_point_at_the_deployments(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    hpa = objects[("HorizontalPodAutoscaler", "stsec-api")]["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "stsec-api",
    }
    assert hpa["minReplicas"] == objects[WORKLOAD["api"]]["spec"]["replicas"]
    for name, role in (("stsec-api", "api"), ("stsec-worker", "worker")):
        selector = objects[("PodDisruptionBudget", name)]["spec"]["selector"]["matchLabels"]
        labels = objects[WORKLOAD[role]]["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
    pdb = objects[("PodDisruptionBudget", "stsec-api")]["spec"]
    assert pdb["minAvailable"] < hpa["minReplicas"], "a drain must be able to move one API pod"


def test_only_the_platforms_processes_reach_the_database_redis_and_minio(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    policies = {n: d["spec"] for (k, n), d in objects.items() if k == "NetworkPolicy"}
    deny = policies["default-deny-all"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    selector = policies["stsec-data-egress"]["podSelector"]["matchLabels"]
    reaching = {
        role
        for role in WORKLOAD
        if selector.items()
        <= objects[WORKLOAD[role]]["spec"]["template"]["metadata"]["labels"].items()
    }
    assert reaching == {"api", "worker", "scheduler", "migrate"}
    ports = {p["port"] for rule in policies["stsec-data-egress"]["egress"] for p in rule["ports"]}
    assert {5432, 6379} <= ports and ports & {443, 9000}
    # No other policy opens egress to the data namespace.
    for name, spec in policies.items():
        if name != "stsec-data-egress":
            for rule in spec.get("egress", []):
                for peer in rule.get("to", []):
                    ns = peer.get("namespaceSelector", {}).get("matchLabels", {})
                    assert ns.get("kubernetes.io/metadata.name") != "stsec-data", name
    # The data namespace's side admits the same label from the platform's namespace.
    for _, policy in manifests(K8S / "data-access"):
        peers = [p for rule in policy["spec"]["ingress"] for p in rule["from"]]
        assert any(
            p.get("podSelector", {}).get("matchLabels") == selector
            and p["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "stsec"}
            for p in peers
        ), policy["metadata"]["name"]


def test_owner_credentials_reach_only_the_migration_job(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    owner = set(env_example(SECRETS["stsec-migration"]))
    assert owner == {"DATABASE_URL", "APP_DB_PASSWORD"}
    for role in COMMANDS:
        sources = {s.get("secretRef", {}).get("name") for s in container(objects, role)["envFrom"]}
        assert ("stsec-migration" in sources) == (role == "migrate"), role
