// Composition root: read the validated config, build the components, export what operators need.
// Resource logic lives in components/; see DESIGN in README.md for the order things come up in.
import { loadStackConfig } from "./components/config";
import { IstioMesh } from "./components/mesh/istio-mesh";

const config = loadStackConfig();

const mesh = new IstioMesh("mesh", { config });

export const istioVersion = config.istio.version;
export const meshMtlsMode = config.mtls.mode;
export const gatewayNamespace = mesh.gatewayNamespace;
export const gatewayService = mesh.gatewayServiceName;
