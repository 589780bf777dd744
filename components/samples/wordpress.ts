import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../config/schema";
import { workloadResources } from "../sizing";
import { meshGatewayRef } from "../core/istio-names";
import { RouteDestination } from "../core/routes";
import { wordpressDestinations } from "./canary";
import { istioRouteDestination } from "../edge/virtual-service-spec";
import { meshNamespace } from "./mesh-namespace";
import { gatewaySplitServiceLabels, sampleNamespaceLabels } from "../mesh/authorization/ambient";
import { dataplanePodAnnotations, withAnnotations } from "../core/dataplane";
import { MySql } from "./mysql";
import { sampleNamespaces, wordpressNames } from "../inventory";
import { versionDestinationRule } from "./version-destination-rule";
import { wordpressAdmin, wordpressAdminSecret, wordpressInstallJobName, wordpressInstallJobSpec } from "./wordpress-install";
import { VolumeShapeGuard, keptObjectOptions } from "./volume-guard";
import { carriedClientTls } from "../mesh/mtls/client-tls";
import { wordpressDenySpecs } from "../mesh/authorization/rules";
import {
    hardenedContainerSecurityContext, hardenedPodSecurityContext, mysqlHardening, wordpressHardening,
} from "../security/workload-hardening";
import { meshNamespaceInjection, namespacePodSecurityLevel } from "../security/namespace-pod-security";
import { podSecurityLabels } from "../security/pod-security";
import {
    secretKeyOf, wordpressContentPath, wordpressKeysSecret, wordpressSecretKeyNames,
} from "./wordpress-layout";

export interface WordPressArgs {
    config: StackConfig;
    /** Pods need istiod's injection webhook. */
    dataplaneReady: pulumi.Resource;
    /** Istio resources need the validating webhooks to verify istiod (IstioMesh.istioConfigReady). */
    istioConfigReady: pulumi.Resource[];
    /** The site's public address, stored by `wp core install` as WordPress's home and site URL. */
    siteUrl: pulumi.Input<string>;
}

/** IBM classic file volumes start at 20 GB; smaller requests are refused there. */
const contentSize = "20Gi";

/**
 * The canary: `wordpress-v1` (stable) and `wordpress-v2` (prerelease), each serving its own image's
 * WordPress core and PHP, sharing only wp-content (one volume), one MySQL and one set of keys and salts,
 * behind one Service. A DestinationRule names
 * the two versions; the gateway splits traffic between them by `wordpress.canary.weight` — on the
 * shared gateway hosts (a route the gateway builds from `sampleGatewayRoutes`), or on
 * `wordpress.hosts` through this component's own VirtualService.
 */
export class WordPress extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly namespaceName: string = sampleNamespaces.wordpress;
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    readonly mysql: MySql;
    readonly contentClaim: k8s.core.v1.PersistentVolumeClaim;
    /** Authentication keys and salts both releases read, so sessions survive the traffic split. */
    readonly keys: k8s.core.v1.Secret;
    readonly stable: k8s.apps.v1.Deployment;
    readonly canary: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly destinationRule: k8s.apiextensions.CustomResource;
    /** Only when `wordpress.hosts` is set; otherwise the route lives in the gateway's VirtualService. */
    readonly virtualService?: k8s.apiextensions.CustomResource;
    readonly routeDestinations: RouteDestination[];
    /** Runs `wp core install` once; every route to WordPress waits for it to complete. */
    readonly installJob: k8s.batch.v1.Job;
    /** The installer/xmlrpc DENYs (at the ingress gateway; on the pods too in sidecar mode). */
    readonly installerDenies: k8s.apiextensions.CustomResource[];
    /** What every route to WordPress waits for: the site installed. */
    readonly routesAfter: pulumi.Resource[];
    readonly adminUser: string = wordpressAdmin.user;
    /** Secret end to end: RandomPassword → Secret → the Job's env, and a secret stack output. */
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: WordPressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:apps:WordPress", name, {}, opts);
        const wordpress = args.config.wordpress;

        // WordPress's and MySQL's pods as the standards read them (the Deployments below use the same contexts).
        const podSecurity = namespacePodSecurityLevel([
            { spec: { securityContext: hardenedPodSecurityContext(wordpressHardening), volumes: [{ name: "content", persistentVolumeClaim: {} }],
                containers: [{ name: "wordpress", securityContext: hardenedContainerSecurityContext() }] } },
            { spec: { securityContext: hardenedPodSecurityContext(mysqlHardening), volumes: [{ name: "data", persistentVolumeClaim: {} }, { name: "config", configMap: {} }],
                containers: [{ name: "mysql", securityContext: hardenedContainerSecurityContext() }] } },
        ], meshNamespaceInjection(args.config.istio.dataplane, args.config.istio.cni));
        const data = args.config.data;
        // The namespace holds the kept claims, so it is kept with them: deleting a namespace deletes every claim
        // in it, whatever Pulumi's retainOnDelete says about the claims. data.adoptKeptVolumes imports what a
        // destroy kept (`import`: a resource already in the state with that ID is left alone, pulumi/pulumi
        // developer-docs/architecture/import.md), so re-creating the stack over it does not fail on "already exists".
        this.namespace = meshNamespace(sampleNamespaces.wordpress,
            { ...sampleNamespaceLabels(args.config, sampleNamespaces.wordpress), ...podSecurityLabels(podSecurity) }, {
                parent: this, retainOnDelete: data.retainOnDestroy, ...keptObjectOptions(data, sampleNamespaces.wordpress),
                // The enrollment labels wait for the data plane they enroll into (meshNamespace explains why).
                dependsOn: [args.dataplaneReady],
            });
        const namespace = this.namespace.metadata.name;

        this.serviceAccount = new k8s.core.v1.ServiceAccount(wordpressNames.serviceAccount, {
            metadata: { name: wordpressNames.serviceAccount, namespace },
            // The sidecar brings its own projected token; WordPress never calls the Kubernetes API.
            automountServiceAccountToken: false,
        }, { parent: this });

        this.mysql = new MySql("mysql", {
            namespace: this.namespace,
            image: wordpress.mysqlImage,
            resources: workloadResources(args.config.profile, "mysql"),
            dataplaneMode: args.config.istio.dataplane,
            dataplaneReady: args.dataplaneReady,
            retainOnDestroy: data.retainOnDestroy,
            adoptKeptVolumes: data.adoptKeptVolumes,
        }, { parent: this });

        // Refuses, at preview, a wordpress.accessMode or wordpress.storageClass change that would replace the kept claim.
        const contentShape = new VolumeShapeGuard(`${wordpressNames.contentClaim}-shape`, {
            claim: `${sampleNamespaces.wordpress}/${wordpressNames.contentClaim}`,
            accessModes: [wordpress.accessMode],
            storageClassName: wordpress.storageClass ?? "",
            retain: data.retainOnDestroy,
            configKeys: "wordpress.accessMode, wordpress.storageClass",
        }, { parent: this });
        this.contentClaim = new k8s.core.v1.PersistentVolumeClaim(wordpressNames.contentClaim, {
            metadata: { name: wordpressNames.contentClaim, namespace },
            spec: {
                accessModes: [wordpress.accessMode],
                resources: { requests: { storage: contentSize } },
                ...(wordpress.storageClass ? { storageClassName: wordpress.storageClass } : {}),
            },
            // Kept by default (data.retainOnDestroy): the uploads and themes outlive a destroy. A kept claim is
            // adopted by nothing: the next create of the same name fails until it is deleted or restored
            // (docs/operations.md, Day two).
        }, {
            parent: this, retainOnDelete: data.retainOnDestroy, dependsOn: [contentShape],
            ...keptObjectOptions(data, `${sampleNamespaces.wordpress}/${wordpressNames.contentClaim}`),
        });

        // Letters and digits only, like the database passwords: PHP reads them from env without quoting.
        const keyValues = Object.fromEntries(wordpressSecretKeyNames.map((keyName) => [secretKeyOf(keyName),
            pulumi.secret(new random.RandomPassword(`wordpress-${secretKeyOf(keyName)}`, { length: 64, special: false }, { parent: this }).result)]));
        this.keys = new k8s.core.v1.Secret(wordpressKeysSecret, {
            metadata: { name: wordpressKeysSecret, namespace },
            type: "Opaque",
            stringData: keyValues,
        }, { parent: this });
        const keyEnv = wordpressSecretKeyNames.map((keyName) => ({
            name: `WORDPRESS_${keyName}`,
            valueFrom: { secretKeyRef: { name: this.keys.metadata.name, key: secretKeyOf(keyName) } },
        }));

        const release = (version: string, deploymentName: string, image: string, after: pulumi.Resource[]) => {
            const labels = { app: wordpressNames.appLabel, version };
            return new k8s.apps.v1.Deployment(deploymentName, {
                metadata: { name: deploymentName, namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels, ...withAnnotations(dataplanePodAnnotations(args.config.istio.dataplane)) },
                        spec: {
                            serviceAccountName: this.serviceAccount.metadata.name,
                            automountServiceAccountToken: wordpressHardening.automountServiceAccountToken,
                            // Apache runs as www-data from the start (components/security/workload-hardening.ts);
                            // the volume's files belong to group www-data, so it can write uploads.
                            securityContext: hardenedPodSecurityContext(wordpressHardening),
                            // A ReadWriteOnce volume attaches to one node: keep every WordPress pod on
                            // the node of the first one (a pod matching its own term may start anywhere).
                            ...(wordpress.accessMode === "ReadWriteOnce" ? {
                                affinity: {
                                    podAffinity: {
                                        requiredDuringSchedulingIgnoredDuringExecution: [{
                                            labelSelector: { matchLabels: { app: wordpressNames.appLabel } },
                                            topologyKey: "kubernetes.io/hostname",
                                        }],
                                    },
                                },
                            } : {}),
                            containers: [{
                                name: "wordpress",
                                image,
                                securityContext: hardenedContainerSecurityContext(),
                                ports: [{ name: "http", containerPort: wordpressNames.port }],
                                env: [
                                    { name: "WORDPRESS_DB_HOST", value: this.mysql.address },
                                    { name: "WORDPRESS_DB_USER", value: wordpressNames.databaseUser },
                                    {
                                        name: "WORDPRESS_DB_PASSWORD",
                                        valueFrom: { secretKeyRef: this.mysql.userPasswordRef },
                                    },
                                    { name: "WORDPRESS_DB_NAME", value: wordpressNames.database },
                                    ...keyEnv,
                                ],
                                // Only wp-content is shared: the docroot (core, wp-config.php written from
                                // the WORDPRESS_* variables) stays in the container, so each image serves
                                // its own WordPress and no file outside wp-content has two writers.
                                volumeMounts: [{ name: "content", mountPath: wordpressContentPath }],
                                // Ready once PHP reaches the database (the login page answers 200, or a
                                // redirect to the installer; "error establishing a database connection"
                                // is a 500). Alive as long as Apache accepts connections, so a database
                                // outage does not restart WordPress.
                                readinessProbe: {
                                    httpGet: { path: "/wp-login.php", port: "http" },
                                    initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6,
                                },
                                livenessProbe: {
                                    tcpSocket: { port: "http" },
                                    initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4,
                                },
                                resources: workloadResources(args.config.profile, "wordpress"),
                            }],
                            volumes: [{ name: "content", persistentVolumeClaim: { claimName: this.contentClaim.metadata.name } }],
                        },
                    },
                },
            }, {
                parent: this,
                // Not after MySQL: both start at once, and WordPress turns ready once its database answers
                // (its readiness probe fails until then), so waiting would only serialise the image pulls.
                dependsOn: [args.dataplaneReady, ...after],
            });
        };
        this.stable = release(wordpressNames.stable.version, wordpressNames.stable.deployment, wordpress.stableImage, []);
        // The canary starts once stable is ready: on an empty volume the stable entrypoint alone copies the
        // bundled themes and plugins into wp-content, and the canary's finds them there and skips them
        // (docker-entrypoint.sh excludes every wp-content/*/*/ that exists). Without the order both would
        // extract into the same directory at once. Later restarts find the content and write nothing.
        this.canary = release(wordpressNames.canary.version, wordpressNames.canary.deployment, wordpress.canaryImage, [this.stable]);

        this.adminPassword = pulumi.secret(new random.RandomPassword("wordpress-admin-password", { length: 32, special: false }, { parent: this }).result);
        const adminSecret = new k8s.core.v1.Secret(wordpressAdminSecret.name, {
            metadata: { name: wordpressAdminSecret.name, namespace },
            type: "Opaque",
            stringData: { [wordpressAdminSecret.key]: this.adminPassword },
        }, { parent: this });
        const dbEnv = [
            { name: "WORDPRESS_DB_HOST", value: this.mysql.address },
            { name: "WORDPRESS_DB_USER", value: wordpressNames.databaseUser },
            { name: "WORDPRESS_DB_PASSWORD", valueFrom: { secretKeyRef: this.mysql.userPasswordRef } },
            { name: "WORDPRESS_DB_NAME", value: wordpressNames.database },
        ];
        this.installJob = new k8s.batch.v1.Job(wordpressInstallJobName, {
            metadata: { name: wordpressInstallJobName, namespace },
            spec: pulumi.all([pulumi.output(args.siteUrl), pulumi.output(dbEnv)]).apply(([siteUrl, wordpressEnv]) => wordpressInstallJobSpec({
                stableImage: wordpress.stableImage,
                cliImage: wordpress.cliImage,
                serviceAccountName: wordpressNames.serviceAccount,
                wordpressEnv: [...wordpressEnv, ...keyEnv],
                siteUrl,
                stopSidecar: args.config.istio.dataplane === "sidecar",
                annotations: dataplanePodAnnotations(args.config.istio.dataplane),
            })),
        }, {
            parent: this,
            // pulumi-kubernetes awaits a Job until it succeeds (pulumi/pulumi-kubernetes#633), so what
            // depends on it sees an installed site. Injection needs istiod; the pod needs its account.
            dependsOn: [args.dataplaneReady, this.serviceAccount, adminSecret, this.keys],
        });

        // Whatever authorization.enabled says: these guard the site, not the service-to-service graph.
        this.installerDenies = wordpressDenySpecs(args.config.istio.dataplane, wordpress.xmlrpc).map((policy) =>
            new k8s.apiextensions.CustomResource(`authorization-${policy.namespace}-${policy.name}`, {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                // The wordpress namespace by reference (creation order); the gateway's exists with istiod.
                metadata: { name: policy.name, namespace: policy.namespace === sampleNamespaces.wordpress ? namespace : policy.namespace },
                spec: policy.spec,
            }, { parent: this, dependsOn: args.istioConfigReady }));
        // The Job alone: once it has run the installer is no longer the first visitor's; the DENYs are the
        // second line and need not lengthen the deploy's critical path (bench: istiod's webhooks → DENY → routes).
        this.routesAfter = [this.installJob];

        this.service = new k8s.core.v1.Service(wordpressNames.service, {
            // The canary split is the gateway's: in ambient mode the Service opts out of ingress-through-waypoint.
            metadata: { name: wordpressNames.service, namespace, labels: { app: wordpressNames.appLabel, ...gatewaySplitServiceLabels(args.config.istio.dataplane) } },
            spec: {
                selector: { app: wordpressNames.appLabel },
                ports: [{ name: "http", port: wordpressNames.port, targetPort: "http" }],
            },
        }, { parent: this });

        this.destinationRule = versionDestinationRule("wordpress", {
            namespace,
            namespaceName: sampleNamespaces.wordpress,
            service: wordpressNames.service,
            versions: [wordpressNames.stable.version, wordpressNames.canary.version],
            clientTls: carriedClientTls(args.config, wordpressNames.service, sampleNamespaces.wordpress),
        }, { parent: this, dependsOn: args.istioConfigReady });

        this.routeDestinations = wordpressDestinations(wordpress.canaryWeight);
        if (wordpress.hosts.length > 0) {
            this.virtualService = new k8s.apiextensions.CustomResource("wordpress", {
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata: { name: wordpressNames.service, namespace },
                spec: {
                    hosts: [...wordpress.hosts],
                    gateways: [meshGatewayRef],
                    http: [{ name: "wordpress-canary", route: this.routeDestinations.map(istioRouteDestination) }],
                },
            }, { parent: this, dependsOn: [...args.istioConfigReady, ...this.routesAfter] });
        }

        this.registerOutputs({
            namespace,
            canaryWeight: wordpress.canaryWeight,
        });
    }
}
