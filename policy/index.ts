// The policy pack entry point: `pulumi preview --policy-pack policy` (after `npm ci` in the project
// root, whose node_modules hold @pulumi/policy). The rules live in policies.ts so tests can run them
// without starting the analyzer server that PolicyPack starts.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("iks-mesh", { policies });
