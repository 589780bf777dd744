// One of Istio's sample manifests, applied by URL at the release tag of the installed charts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespacedClusterProvider } from "../cluster/cluster-provider";
import { istioSampleUrl } from "../versions";

export interface IstioSampleManifestArgs {
    /** The namespace the manifest's objects go to; the manifests themselves name none. */
    namespace: k8s.core.v1.Namespace;
    istioVersion: string;
    /** Path under `samples/`, e.g. `httpbin/httpbin.yaml`. */
    samplePath: string;
    /** Resources the manifest's pods need first (istiod, for sidecar injection). */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export interface IstioSampleManifest {
    /** The provider the manifest's objects are created with; its default namespace is the sample's. */
    provider: k8s.Provider;
    manifest: k8s.yaml.v2.ConfigFile;
    url: string;
}

/**
 * `yaml.v2.ConfigFile` has no namespace argument and no transformations: it puts objects that name no
 * namespace into the default namespace of the provider it runs with. So each sample gets a provider
 * whose `namespace` is the sample's namespace (taken from the Namespace's output, so the provider and
 * everything it creates wait for the namespace), derived from the stack's cluster provider so it talks
 * to the same cluster.
 */
export function istioSampleManifest(name: string, args: IstioSampleManifestArgs, parent: pulumi.Resource): IstioSampleManifest {
    const provider = namespacedClusterProvider(`${name}-namespaced`, parent, args.namespace.metadata.name);
    const url = istioSampleUrl(args.istioVersion, args.samplePath);
    const manifest = new k8s.yaml.v2.ConfigFile(name, { file: url }, {
        parent,
        provider,
        // Explicit as well as through the provider, so the order survives a change of provider.
        dependsOn: [...args.dependsOn, args.namespace],
    });
    return { provider, manifest, url };
}
