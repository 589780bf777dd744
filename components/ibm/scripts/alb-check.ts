// Whether the cluster's ALBs serve the IngressClass the stack's Ingress uses, checked before the
// Ingress is deployed: an Ingress of a class no enabled ALB serves is accepted by Kubernetes and then
// gets no traffic. IBM's ALBs run ingress-nginx (builds 1.x, classes *-iks-k8s-nginx) or Traefik
// (builds 3.x, classes *-iks-traefik; IBM's "Moving from Ingress-NGINX to Traefik", 2026-07). Traffic
// reaches them differently by infrastructure (ibm-cloud-docs/containers, ingress-controller-migration):
//   - classic: the Ingress subdomain points at the enabled ALBs' IPs; enabling Traefik ALBs next to
//     nginx ones adds no DNS record, so Traefik serves it only once the nginx ALBs are disabled (or
//     the domain is pointed at the Traefik ALBs with `ingress domain update`);
//   - VPC: one load balancer per type forwards to either build, as `ingress load-balancer backend set
//     --public-backend nginx|traefik` chose; `ingress load-balancer get` shows it.
import { IbmCloudError } from "./ibmcloud.ts";

export type AlbController = "traefik" | "nginx" | "unknown";

export interface AlbEntry {
    id: string;
    type: string;
    build: string;
    enabled: boolean;
    controller: AlbController;
}

const text = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

/** The controller an ALB build runs: `3.x_NNNN_iks` is Traefik, `0.x_NNNN_iks` and `1.x_NNNN_iks` ingress-nginx (IBM's ALB version list). */
export function albController(build: string): AlbController {
    if (build.startsWith("3.")) {
        return "traefik";
    }
    if (build.startsWith("1.") || build.startsWith("0.")) {
        return "nginx";
    }
    return "unknown";
}

/** `ibmcloud ks ingress alb ls --output json`: bluemix-go containerv2 ClusterALB, `{..., alb: [AlbConfig]}`. */
export function parseAlbList(listed: unknown): AlbEntry[] {
    const albs = typeof listed === "object" && listed !== null ? (listed as { alb?: unknown }).alb : undefined;
    if (!Array.isArray(albs)) {
        throw new IbmCloudError(`ingress alb ls printed no "alb" list (got ${JSON.stringify(listed).slice(0, 160)})`, { transient: true });
    }
    return albs.flatMap((item: unknown): AlbEntry[] => {
        if (typeof item !== "object" || item === null) {
            return [];
        }
        const alb = item as Record<string, unknown>;
        const build = text(alb.albBuild);
        return [{ id: text(alb.albID), type: text(alb.albType), build, enabled: alb.enable === true, controller: albController(build) }];
    });
}

/**
 * Which controller the VPC load balancer of a type sends traffic to, from `ingress load-balancer get
 * --output json`. bluemix-go's ALBLBConfig predates the backend setting, so the field is looked for by
 * name (any key containing "backend", for the public load balancer when both are listed); undefined
 * when the answer does not say.
 */
export function parseLoadBalancerBackend(config: unknown, type: "public" | "private" = "public"): "traefik" | "nginx" | undefined {
    const found: string[] = [];
    const visit = (value: unknown, key: string, inType: boolean): void => {
        if (typeof value === "string" && /backend/i.test(key) && /^(traefik|nginx)$/i.test(value.trim())) {
            if (inType || new RegExp(type, "i").test(key) || !/(public|private)/i.test(key)) {
                found.push(value.trim().toLowerCase());
            }
        } else if (Array.isArray(value)) {
            value.forEach((item) => visit(item, key, inType));
        } else if (typeof value === "object" && value !== null) {
            const record = value as Record<string, unknown>;
            const ofType = inType || text(record.type) === type;
            if (text(record.type) && text(record.type) !== type) {
                return;
            }
            for (const [childKey, child] of Object.entries(record)) {
                visit(child, childKey, ofType);
            }
        }
    };
    visit(config, "", false);
    const [backend] = found;
    return backend === "traefik" || backend === "nginx" ? backend : undefined;
}

export interface AlbCheckInput {
    cluster: string;
    infrastructure: "classic" | "vpc";
    ingressClass: string;
    albs: readonly AlbEntry[];
    /** VPC only: what the load balancer of the class's type forwards to, when `load-balancer get` says. */
    backend?: "traefik" | "nginx";
}

/** Why the class would go unserved, with IBM's fix; undefined when an enabled ALB serves it. */
export function albClassProblem(input: AlbCheckInput): string | undefined {
    const { cluster, infrastructure, ingressClass } = input;
    const controller: AlbController = ingressClass.endsWith("-iks-traefik") ? "traefik" : "nginx";
    const other: AlbController = controller === "traefik" ? "nginx" : "traefik";
    const type = ingressClass.startsWith("private-") ? "private" : "public";
    const enabled = input.albs.filter((alb) => alb.enabled && alb.type === type);
    const serving = enabled.filter((alb) => alb.controller === controller);
    const otherClass = ingressClass.replace(controller === "traefik" ? "-iks-traefik" : "-iks-k8s-nginx", other === "traefik" ? "-iks-traefik" : "-iks-k8s-nginx");
    const switchClass = `or serve the stack through the ${other} ALBs: pulumi config set --path iks.alb.ingressClass ${otherClass}`;
    const enabledText = enabled.length > 0 ? enabled.map((alb) => `${alb.id} (${alb.build})`).join(", ") : "none";
    if (serving.length === 0) {
        const fix = controller === "traefik"
            ? `list Traefik versions with \`ibmcloud ks ingress alb versions\`, then move an ALB to one: ` +
              `ibmcloud ks ingress alb enable ${infrastructure === "vpc" ? "vpc-gen2" : "classic"} --alb <alb_id> --version <traefik_version> --cluster ${cluster}` +
              (infrastructure === "vpc" ? ` and ibmcloud ks ingress load-balancer backend set --cluster ${cluster} --public-backend traefik` : "")
            : `ibmcloud ks ingress alb enable ${infrastructure === "vpc" ? "vpc-gen2" : "classic"} --alb <alb_id> --version <nginx_version> --cluster ${cluster}`;
        return `iks.alb.ingressClass is ${ingressClass}, but no enabled ${type} ALB of cluster ${cluster} runs ${controller} ` +
            `(enabled ${type} ALBs: ${enabledText}), so the Ingress would get no traffic. Fix: ${fix}; ${switchClass}`;
    }
    if (infrastructure === "vpc" && input.backend && input.backend !== controller) {
        return `iks.alb.ingressClass is ${ingressClass}, but the ${type} load balancer of cluster ${cluster} forwards to the ${input.backend} ALBs, ` +
            `so the Ingress would get no traffic. Fix: ibmcloud ks ingress load-balancer backend set --cluster ${cluster} --${type}-backend ${controller}; ${switchClass}`;
    }
    if (infrastructure === "classic" && controller === "traefik" && enabled.some((alb) => alb.controller === "nginx")) {
        const nginx = enabled.filter((alb) => alb.controller === "nginx");
        return `iks.alb.ingressClass is ${ingressClass}, but cluster ${cluster} still has enabled ingress-nginx ALBs (${nginx.map((alb) => alb.id).join(", ")}), ` +
            `and the Ingress subdomain points at them: enabling Traefik ALBs beside them adds no DNS record. Fix: ` +
            nginx.map((alb) => `ibmcloud ks ingress alb disable classic --alb ${alb.id} --cluster ${cluster}`).join(" and ") +
            ` (IBM then points the subdomain at the Traefik ALBs); ${switchClass}`;
    }
    return undefined;
}
