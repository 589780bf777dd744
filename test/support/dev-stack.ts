// The project config of the committed dev stack (Pulumi.dev.yaml), as the harness takes a config.
import { stackProjectConfig } from "./stack-files";

export const devStackConfig = (): Record<string, unknown> => stackProjectConfig("dev");
