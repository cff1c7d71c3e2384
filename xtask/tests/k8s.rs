//! `deploy/k8s/noetl-server.yaml`, read as Kubernetes would: a Deployment of the
//! multi-platform image that runs non-root on a read-only root filesystem with health
//! probes and resource requests, and a Service that reaches its pods.

mod common;
mod yaml;

use yaml::Yaml;

const MANIFEST: &str = "deploy/k8s/noetl-server.yaml";
/// The port `noetl server start` listens on in the image (NOETL_PORT, EXPOSE 8082).
const PORT: i64 = 8082;

fn documents() -> Vec<Yaml> {
    let text = std::fs::read_to_string(common::root().join(MANIFEST)).expect("read the manifest");
    yaml::parse(&text).unwrap_or_else(|e| panic!("{MANIFEST}: {e}"))
}

fn by_kind<'a>(docs: &'a [Yaml], kind: &str, api: &str) -> &'a Yaml {
    let found: Vec<&Yaml> = docs.iter().filter(|d| d.get("kind").and_then(Yaml::str) == Some(kind)).collect();
    assert_eq!(found.len(), 1, "{MANIFEST} should hold exactly one {kind}");
    assert_eq!(found[0].get("apiVersion").and_then(Yaml::str), Some(api), "{kind} apiVersion");
    found[0]
}

fn field<'a>(node: &'a Yaml, path: &[&str]) -> &'a Yaml {
    node.at(path).unwrap_or_else(|| panic!("{MANIFEST}: missing {}", path.join(".")))
}

fn labels(node: &Yaml) -> Vec<(String, String)> {
    node.entries().iter().map(|(k, v)| (k.clone(), v.str().expect("label values are strings").to_string())).collect()
}

/// A probe or Service port: a number, or the name of a container port.
fn resolve_port(port: &Yaml, container: &Yaml) -> Option<i64> {
    port.int().or_else(|| {
        let name = port.str()?;
        let ports = field(container, &["ports"]).seq();
        ports.iter().find(|p| p.get("name").and_then(Yaml::str) == Some(name))?.get("containerPort")?.int()
    })
}

#[test]
fn deployment_runs_the_multi_platform_image_safely_with_probes_and_requests() {
    let docs = documents();
    let deployment = by_kind(&docs, "Deployment", "apps/v1");
    let pod = field(deployment, &["spec", "template", "spec"]);
    let containers = field(pod, &["containers"]).seq();
    assert_eq!(containers.len(), 1, "one server container");
    let c = &containers[0];

    // One reference for every architecture: the registry's index picks the platform.
    let image = field(c, &["image"]).str().unwrap();
    let (repo, tag) = image.rsplit_once(':').expect("image has a tag");
    assert!(repo.ends_with("/noetl-local-dev"), "{image}");
    assert!(!tag.contains("amd64") && !tag.contains("arm64"), "a per-architecture tag defeats the index: {image}");
    let selector = pod.get("nodeSelector").map(labels).unwrap_or_default();
    assert!(selector.iter().all(|(k, _)| !k.contains("arch")), "no architecture pinning: {selector:?}");
    assert!(pod.get("affinity").is_none(), "no affinity that could pin an architecture");

    assert!(field(c, &["ports"]).seq().iter().any(|p| p.get("containerPort").and_then(Yaml::int) == Some(PORT)));
    for probe in ["livenessProbe", "readinessProbe"] {
        let get = field(c, &[probe, "httpGet"]);
        assert_eq!(field(get, &["path"]).str(), Some("/health"), "{probe} path");
        assert_eq!(resolve_port(field(get, &["port"]), c), Some(PORT), "{probe} port");
    }

    // Non-root: at the pod, and with a non-zero uid, since runAsNonRoot alone fails at
    // start-up for an image whose USER Kubernetes cannot resolve.
    assert_eq!(field(pod, &["securityContext", "runAsNonRoot"]).bool(), Some(true));
    let uid = field(pod, &["securityContext", "runAsUser"]).int().expect("runAsUser is a number");
    assert!(uid > 0, "runAsUser {uid}");
    let security = field(c, &["securityContext"]);
    assert_eq!(field(security, &["readOnlyRootFilesystem"]).bool(), Some(true));
    assert_eq!(field(security, &["allowPrivilegeEscalation"]).bool(), Some(false));

    for resource in ["cpu", "memory"] {
        let request = field(c, &["resources", "requests", resource]);
        assert!(request.str().is_some_and(|r| !r.is_empty()), "resources.requests.{resource}");
    }

    let match_labels = labels(field(deployment, &["spec", "selector", "matchLabels"]));
    let pod_labels = labels(field(deployment, &["spec", "template", "metadata", "labels"]));
    assert!(
        !match_labels.is_empty() && match_labels.iter().all(|l| pod_labels.contains(l)),
        "selector must match the pods"
    );
}

#[test]
fn service_reaches_the_server_pods_on_its_port() {
    let docs = documents();
    let deployment = by_kind(&docs, "Deployment", "apps/v1");
    let service = by_kind(&docs, "Service", "v1");
    let pod_labels = labels(field(deployment, &["spec", "template", "metadata", "labels"]));
    let selector = labels(field(service, &["spec", "selector"]));
    assert!(!selector.is_empty() && selector.iter().all(|l| pod_labels.contains(l)), "{selector:?} vs {pod_labels:?}");

    let container = &field(deployment, &["spec", "template", "spec", "containers"]).seq()[0];
    let ports = field(service, &["spec", "ports"]).seq();
    assert!(
        ports.iter().any(|p| p.get("targetPort").and_then(|t| resolve_port(t, container)) == Some(PORT)),
        "no Service port targets {PORT}"
    );
}
