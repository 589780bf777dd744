// The parts of a resource's inputs the policies read, typed. A policy sees inputs as plain JSON; these
// shapes say which fields a check relies on (every field optional, since any input may be absent).

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
}

export interface PeerAuthenticationInputs {
    metadata?: ObjectMeta;
    spec?: { mtls?: { mode?: string } };
}

interface ClientTls {
    tls?: { mode?: string };
}

interface TrafficPolicy extends ClientTls {
    portLevelSettings?: ClientTls[];
}

export interface DestinationRuleInputs {
    metadata?: ObjectMeta;
    spec?: { host?: string; trafficPolicy?: TrafficPolicy; subsets?: { trafficPolicy?: TrafficPolicy }[] };
}

export interface GatewayInputs {
    spec?: { servers?: { port?: { number?: number }; tls?: { mode?: string; credentialName?: string } }[] };
}

export interface SecretLikeInputs {
    metadata?: ObjectMeta;
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
}

interface Container {
    name?: string;
    image?: string;
}

interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
}

export interface WorkloadInputs {
    spec?: PodSpec & { template?: { spec?: PodSpec } };
}

export interface ReleaseInputs {
    chart?: string;
}
