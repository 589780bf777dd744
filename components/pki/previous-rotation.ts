// The root rotation state a stack's last `up` applied, read back through a reference to the stack itself,
// so the next `up` can refuse a step that skips ahead or goes back (mesh-ca-spec.ts rotationStepProblem).
// A stack referencing itself reads its previous deployment's outputs: Pulumi's own integration tests do
// this; the engine answers with the stack's output map, empty before the first `up`
// (pulumi/pulumi pkg/resource/deploy/builtins.go, readStackReference).
import * as pulumi from "@pulumi/pulumi";

/** Registers the self-reference (a read, nothing is created) and returns the named output's last value. */
export async function previousRotation(name: string, output: string): Promise<unknown> {
    const self = new pulumi.StackReference(name, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    return (await self.getOutputDetails(output)).value as unknown;
}
