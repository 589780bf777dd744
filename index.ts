// Composition root: read the validated config, build the components, export what operators need.
// Resource logic lives in components/; README.md shows the order things come up in.
import { loadStackConfig } from "./components/config";
import { IstioMesh } from "./components/mesh/istio-mesh";

const config = loadStackConfig();

const mesh = new IstioMesh("mesh", { config });

// --- PKI and ingress gateway (issue 3) ---

// --- Samples (issue 4) ---

// --- IBM Cloud: NLB DNS and ALB (issue 6) ---

// --- Observability and EnRoute (issue 7) ---

export const istioVersion = config.istio.version;
export const meshMtlsMode = config.mtls.mode;
export const gatewayNamespace = mesh.gatewayNamespace;
export const gatewayService = mesh.gatewayServiceName;
