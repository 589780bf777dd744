// Gives the containers of a rendered Istio manifest the sizing profile's requests and limits, where the
// manifest sets none (Istio's bookinfo, httpbin and Prometheus addon set none). Pure: objects in, objects out.
import { manifestContainerResources } from "../sizing";
import { SizingProfile } from "../config/schema";
import { ManifestObject } from "./istio-manifest";

interface Container { name: string; resources?: Record<string, unknown> }
interface PodSpec { containers?: Container[] }
interface PodTemplate { spec?: PodSpec }
interface PodTemplateOwner { spec?: { template?: PodTemplate } }

export function sizeManifestContainers(objects: readonly ManifestObject[], profile: SizingProfile): ManifestObject[] {
    return objects.map((object) => {
        const deploymentSpec = (object as PodTemplateOwner).spec;
        const template = deploymentSpec?.template;
        const containers = template?.spec?.containers;
        if (object.kind !== "Deployment" || !deploymentSpec || !template || !containers) {
            return object;
        }
        const sized = containers.map((container) => {
            const resources = manifestContainerResources(profile, container.name);
            const hasOwn = container.resources !== undefined && Object.keys(container.resources).length > 0;
            return resources && !hasOwn ? { ...container, resources } : container;
        });
        return { ...object, spec: { ...deploymentSpec, template: { ...template, spec: { ...template.spec, containers: sized } } } };
    });
}
