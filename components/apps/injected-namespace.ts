// A sample's namespace, labelled so that Istio injects its sidecar into every pod created in it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { injectionLabel } from "./sample-names";

/**
 * The namespace itself does not wait for istiod (only its pods need the injection webhook), so it is
 * created while Istio installs; whatever runs pods in it depends on istiod instead.
 */
export function injectedNamespace(name: string, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, {
        metadata: { name, labels: { ...injectionLabel } },
    }, opts);
}
