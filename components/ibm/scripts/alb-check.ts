// Whether the cluster's ALBs serve the IngressClass the stack's Ingress uses, checked before the
// Ingress is deployed: an Ingress of a class no enabled ALB serves is accepted by Kubernetes and then
// gets no traffic. IBM's ALBs run ingress-nginx (builds 1.x, classes *-iks-k8s-nginx) or Traefik
// (builds 3.x, classes *-iks-traefik; IBM's "Moving from Ingress-NGINX to Traefik", 2026-07). Traffic
// reaches them differently by infrastructure (ibm-cloud-docs/containers, ingress-controller-migration):
//   - classic: the Ingress subdomain points at the enabled ALBs' IPs; enabling Traefik ALBs next to
//     nginx ones adds no DNS record, so Traefik serves it only once the nginx ALBs are disabled ("Option
//     2") or the domain is pointed at the Traefik ALBs with `ingress domain update --ip` ("Option 1:
//     Update the domain mapping", nginx ALBs still enabled; IBM's "Migrating from Ingress-NGINX to
//     Traefik", Making the switch, classic). With both kinds enabled the check reads where the domain
//     points (`ingress domain get`) and compares it with the ALBs' IPs (`albip`);
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
    /** Classic: the public IP that exposes the ALB (`albip`); empty on VPC, whose ALBs have a load balancer hostname. */
    ip: string;
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

/**
 * `ibmcloud ks ingress alb ls --output json`: bluemix-go containerv2 ClusterALB, `{..., alb: [AlbConfig]}`.
 * On classic the entries also carry `albip`, "The public IP address that exposes the ALB"
 * (container-services-go-sdk ALBConfig; its V2GetClusterALBs: "A `ClusterALB` response will be returned
 * for classic clusters").
 */
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
        return [{
            id: text(alb.albID), type: text(alb.albType), build, enabled: alb.enable === true, controller: albController(build), ip: text(alb.albip),
        }];
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

const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The IP addresses an Ingress domain points at, from `ibmcloud ks ingress domain get --output json`.
 * IBM publishes only the text form of that answer ("Target(s): <ip>, <ip>", next to Provider, Status and
 * the secret; IBM's Satellite lab output of `ingress domain get`), and no SDK holds its JSON, so no key
 * name is assumed: every IPv4 address in the answer counts, in whatever field, list or comma-separated
 * text it comes.
 */
export function parseDomainTargets(domain: unknown): string[] {
    const found = new Set<string>();
    const visit = (value: unknown): void => {
        if (typeof value === "string") {
            for (const part of value.split(/[\s,;]+/)) {
                if (ipv4.test(part)) {
                    found.add(part);
                }
            }
        } else if (Array.isArray(value)) {
            value.forEach(visit);
        } else if (typeof value === "object" && value !== null) {
            Object.values(value).forEach(visit);
        }
    };
    visit(domain);
    return [...found].sort();
}

export interface AlbCheckInput {
    cluster: string;
    infrastructure: "classic" | "vpc";
    ingressClass: string;
    albs: readonly AlbEntry[];
    /** VPC only: what the load balancer of the class's type forwards to, when `load-balancer get` says. */
    backend?: "traefik" | "nginx";
    /** Classic: the Ingress domain and the IPs it points at, when read (`ingress domain get`). */
    domain?: { name: string; targets: readonly string[] };
}

/** Classic with ALBs of both controllers enabled: only where the domain points tells which serves it. */
export function needsDomainTargets(input: Pick<AlbCheckInput, "infrastructure" | "ingressClass" | "albs">): boolean {
    const type = input.ingressClass.startsWith("private-") ? "private" : "public";
    const enabled = input.albs.filter((alb) => alb.enabled && alb.type === type);
    return input.infrastructure === "classic" && enabled.some((alb) => alb.controller === "traefik") && enabled.some((alb) => alb.controller === "nginx");
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
    if (infrastructure === "classic" && enabled.some((alb) => alb.controller === other)) {
        return classicDomainProblem(input, { controller, other, serving, enabled, otherClass });
    }
    return undefined;
}

/**
 * Classic, both kinds of ALB enabled: the class is served when the Ingress domain points at its ALBs and
 * at none of the others (IBM's "update the domain mapping" moves it to the Traefik ALBs while the nginx
 * ones stay enabled). Without the domain's targets, nginx ALBs keep the domain (enabling Traefik adds no
 * DNS record), so only the nginx class passes.
 */
function classicDomainProblem(input: AlbCheckInput, found: {
    controller: AlbController; other: AlbController; serving: readonly AlbEntry[]; enabled: readonly AlbEntry[]; otherClass: string;
}): string | undefined {
    const { cluster, ingressClass, domain } = input;
    const { controller, other, serving, enabled, otherClass } = found;
    const otherAlbs = enabled.filter((alb) => alb.controller === other);
    const ipsOf = (albs: readonly AlbEntry[]) => albs.map((alb) => alb.ip).filter((ip) => ip !== "");
    const domainName = domain?.name ?? "<Ingress subdomain>";
    const servingIps = ipsOf(serving);
    const mapping = servingIps.length > 0
        ? `ibmcloud ks ingress domain update --cluster ${cluster} --domain ${domainName} ${servingIps.map((ip) => `--ip ${ip}`).join(" ")}`
        : `ibmcloud ks ingress domain update --cluster ${cluster} --domain ${domainName} --ip <${controller} ALB IP>`;
    const maintenance = "cluster-wide maintenance steps, as they move every Ingress of that domain";
    const fixes = controller === "traefik"
        ? `first choice: serve the stack through the ALBs that hold the domain now: pulumi config set --path iks.alb.ingressClass ${otherClass}; ` +
          `or, as ${maintenance}: point the domain at the Traefik ALBs (IBM's "update the domain mapping"): ${mapping}; ` +
          "or disable the ingress-nginx ALBs, which stops every Ingress they serve: " +
          otherAlbs.map((alb) => `ibmcloud ks ingress alb disable classic --alb ${alb.id} --cluster ${cluster}`).join(" and ")
        : `pulumi config set --path iks.alb.ingressClass ${otherClass} (the domain's ALBs); or, as ${maintenance}: ${mapping}`;
    if (!domain || domain.targets.length === 0) {
        if (controller === "nginx") {
            return undefined;
        }
        return `iks.alb.ingressClass is ${ingressClass}, but cluster ${cluster} still has enabled ingress-nginx ALBs ` +
            `(${otherAlbs.map((alb) => alb.id).join(", ")}), and no IP of the Ingress domain ${domainName} could be read, so it is taken to point at ` +
            `them, as IBM leaves it (enabling Traefik ALBs beside them adds no DNS record). Fix: ${fixes}`;
    }
    const targets = new Set(domain.targets);
    const toOther = otherAlbs.filter((alb) => targets.has(alb.ip));
    const toServing = serving.filter((alb) => targets.has(alb.ip));
    if (toServing.length > 0 && toOther.length === 0) {
        return undefined;
    }
    const pointsAt = toOther.length > 0
        ? `${toOther.length === targets.size ? "" : "also "}at the ${other} ALBs ${toOther.map((alb) => `${alb.id} (${alb.ip})`).join(", ")}`
        : `at none of the ${controller} ALBs (${servingIps.join(", ") || "no IP listed"})`;
    return `iks.alb.ingressClass is ${ingressClass}, but Ingress domain ${domain.name} of cluster ${cluster} points ${pointsAt} ` +
        `(its targets: ${domain.targets.join(", ")}), so the Ingress would get ${toServing.length > 0 ? "only part of the" : "no"} traffic. Fix: ${fixes}`;
}
