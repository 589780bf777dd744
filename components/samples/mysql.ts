import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerResources } from "../sizing";
import { configDigest, mysqlConfigDirectory, mysqlConfigFileName, mysqlServerConfig } from "./mysql-config";
import { mysqlNames, sampleNamespaces, wordpressNames } from "../inventory";
import { VolumeShapeGuard, keptObjectOptions } from "./volume-guard";
import { DataplaneMode, dataplanePodAnnotations } from "../core/dataplane";
import { hardenedContainerSecurityContext, hardenedPodSecurityContext, mysqlHardening } from "../security/workload-hardening";

export interface MySqlArgs {
    namespace: k8s.core.v1.Namespace;
    /** Official `mysql` image, pinned (defaults in versions.ts). */
    image: string;
    /** Requests and limits of the mysqld container (the sizing profile's). */
    resources: ContainerResources;
    /** Rolls the pod when the stack switches data planes. */
    dataplaneMode: DataplaneMode;
    /** The pod needs istiod's sidecar injection webhook first. */
    dataplaneReady: pulumi.Resource;
    /** data.retainOnDestroy: the data volume stays in the cluster when the stack deletes it. */
    retainOnDestroy: boolean;
    /** data.adoptKeptVolumes: import the data volume a destroy kept. */
    adoptKeptVolumes: boolean;
}

/** Room for the database on any class: IBM classic block and file volumes start at 20 GB. */
const dataSize = "20Gi";

/**
 * WordPress's database: one MySQL pod on its own ReadWriteOnce volume (the cluster's default storage
 * class), its server config from a ConfigMap, and generated root and user passwords kept in a Secret.
 */
export class MySql extends pulumi.ComponentResource {
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    readonly credentials: k8s.core.v1.Secret;
    readonly config: k8s.core.v1.ConfigMap;
    readonly dataClaim: k8s.core.v1.PersistentVolumeClaim;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    /** `<service>:<port>` for WORDPRESS_DB_HOST; resolving it waits for the Service. */
    readonly address: pulumi.Output<string>;
    /** Secret name and key of the WordPress user's password. */
    readonly userPasswordRef: pulumi.Output<{ name: string; key: string }>;

    constructor(name: string, args: MySqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iks-mesh:apps:MySql", name, {}, opts);
        const namespace = args.namespace.metadata.name;
        const labels = { app: mysqlNames.appLabel };

        this.serviceAccount = new k8s.core.v1.ServiceAccount(mysqlNames.serviceAccount, {
            metadata: { name: mysqlNames.serviceAccount, namespace },
            // The sidecar brings its own projected token; MySQL never calls the Kubernetes API.
            automountServiceAccountToken: false,
        }, { parent: this });

        // Letters and digits only: the values travel through env vars into SQL and PHP without quoting.
        const rootPassword = new random.RandomPassword("mysql-root-password", { length: 32, special: false }, { parent: this });
        const userPassword = new random.RandomPassword("mysql-user-password", { length: 32, special: false }, { parent: this });
        this.credentials = new k8s.core.v1.Secret(mysqlNames.credentialsSecret, {
            metadata: { name: mysqlNames.credentialsSecret, namespace },
            type: "Opaque",
            stringData: {
                [mysqlNames.rootPasswordKey]: pulumi.secret(rootPassword.result),
                [mysqlNames.userPasswordKey]: pulumi.secret(userPassword.result),
            },
        }, { parent: this });

        const serverConfig = mysqlServerConfig();
        this.config = new k8s.core.v1.ConfigMap(mysqlNames.configMap, {
            metadata: { name: mysqlNames.configMap, namespace },
            data: { [mysqlConfigFileName]: serverConfig },
        }, { parent: this });

        // No key sets this claim's shape; the guard still refuses a code change that would replace it.
        const dataShape = new VolumeShapeGuard(`${mysqlNames.dataClaim}-shape`, {
            claim: `${sampleNamespaces.wordpress}/${mysqlNames.dataClaim}`,
            accessModes: ["ReadWriteOnce"],
            storageClassName: "",
            retain: args.retainOnDestroy,
            configKeys: "",
        }, { parent: this });
        this.dataClaim = new k8s.core.v1.PersistentVolumeClaim(mysqlNames.dataClaim, {
            metadata: { name: mysqlNames.dataClaim, namespace },
            spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: dataSize } },
            },
            // Kept by default: `pulumi destroy` or a removed sample must not take the database with it.
        }, {
            parent: this, retainOnDelete: args.retainOnDestroy, dependsOn: [dataShape],
            ...keptObjectOptions(args, `${sampleNamespaces.wordpress}/${mysqlNames.dataClaim}`),
        });

        const secretEnv = (envName: string, key: string) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: this.credentials.metadata.name, key } },
        });
        this.deployment = new k8s.apps.v1.Deployment(mysqlNames.deployment, {
            metadata: { name: mysqlNames.deployment, namespace, labels },
            spec: {
                replicas: 1,
                // Two mysqld on one data directory corrupt it: the old pod must be gone before the new starts.
                strategy: { type: "Recreate" },
                selector: { matchLabels: labels },
                template: {
                    metadata: {
                        labels,
                        // A ConfigMap change alone does not restart the pod; a changed digest does.
                        annotations: { "checksum/mysql-config": configDigest(serverConfig), ...dataplanePodAnnotations(args.dataplaneMode) },
                    },
                    spec: {
                        serviceAccountName: this.serviceAccount.metadata.name,
                        automountServiceAccountToken: mysqlHardening.automountServiceAccountToken,
                        securityContext: hardenedPodSecurityContext(mysqlHardening),
                        containers: [{
                            name: "mysql",
                            image: args.image,
                            securityContext: hardenedContainerSecurityContext(),
                            ports: [{ name: mysqlNames.portName, containerPort: mysqlNames.port }],
                            env: [
                                secretEnv("MYSQL_ROOT_PASSWORD", mysqlNames.rootPasswordKey),
                                // root only over the socket: the entrypoint creates root@'%' unless this is
                                // `localhost` (docker-entrypoint.sh, 8.4). Read on first initialisation only.
                                { name: "MYSQL_ROOT_HOST", value: "localhost" },
                                { name: "MYSQL_DATABASE", value: wordpressNames.database },
                                { name: "MYSQL_USER", value: wordpressNames.databaseUser },
                                secretEnv("MYSQL_PASSWORD", mysqlNames.userPasswordKey),
                            ],
                            volumeMounts: [
                                // A subdirectory: a fresh ext4 volume holds lost+found, and mysqld refuses
                                // to initialize a data directory that is not empty.
                                { name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" },
                                { name: "config", mountPath: mysqlConfigDirectory, readOnly: true },
                            ],
                            // `mysqladmin ping` exits 0 whenever mysqld answers, even "access denied",
                            // so no password is needed in the probe. Readiness goes over TCP, which the
                            // entrypoint's temporary init server (--skip-networking) does not open;
                            // liveness uses the socket, which it does, so a long first init is not killed.
                            readinessProbe: {
                                exec: { command: ["mysqladmin", "ping", "--silent", "--host=127.0.0.1"] },
                                initialDelaySeconds: 10, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 6,
                            },
                            livenessProbe: {
                                exec: { command: ["mysqladmin", "ping", "--silent"] },
                                initialDelaySeconds: 60, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6,
                            },
                            resources: args.resources,
                        }],
                        volumes: [
                            { name: "data", persistentVolumeClaim: { claimName: this.dataClaim.metadata.name } },
                            { name: "config", configMap: { name: this.config.metadata.name } },
                        ],
                    },
                },
            },
        }, { parent: this, dependsOn: [args.dataplaneReady] });

        this.service = new k8s.core.v1.Service(mysqlNames.service, {
            metadata: { name: mysqlNames.service, namespace, labels },
            spec: {
                selector: labels,
                ports: [{ name: mysqlNames.portName, port: mysqlNames.port, targetPort: mysqlNames.portName }],
            },
        }, { parent: this });

        this.address = pulumi.interpolate`${this.service.metadata.name}:${mysqlNames.port}`;
        this.userPasswordRef = this.credentials.metadata.name.apply((secretName) => ({ name: secretName, key: mysqlNames.userPasswordKey }));

        this.registerOutputs({
            address: this.address,
            credentialsSecret: this.credentials.metadata.name,
        });
    }
}
