// `npm run docs`: writes docs/configuration.md from the contract the program reads (components/config/contract.ts)
// and the descriptions in Pulumi.yaml. test/tools/config-contract.spec.ts fails while the file is stale.
import * as fs from "fs";
import * as path from "path";
import { configContract, configurationReference } from "../components/config/contract";
import { readProjectDeclarations } from "./docs/project-file";

const projectRoot = path.resolve(__dirname, "..");
const target = path.join(projectRoot, "docs", "configuration.md");
const reference = configurationReference(configContract(), readProjectDeclarations(projectRoot));
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, reference);
console.log(`wrote ${path.relative(projectRoot, target)} (${configContract().length} keys)`);
