// Runs before every IBM command script (see scriptCommand in components/ibm/ibmcloud-cli.ts), on
// whatever `node` the machine has. The scripts are TypeScript that Node runs directly, which needs
// type stripping on by default: Node 22.18+ (or 23.6+). An older Node would stop on
// ERR_UNKNOWN_FILE_EXTENSION without saying what to do; this prints one line instead, before any
// IBM Cloud call. Plain CommonJS in old syntax, so that any Node can run it.
"use strict";

var needed = "22.18.0";
var found = process.versions.node.split(".").map(Number);
var major = found[0];
var minor = found[1];
var supported = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!supported) {
    process.stderr.write("iks-mesh: the IBM Cloud command scripts need Node.js >= " + needed + " (they are TypeScript that Node runs " +
        "directly); found Node " + process.version + " at " + process.execPath + ". Fix: put Node.js 22.18+ or 24 first on PATH\n");
    process.exit(1);
}
