// Runs first in `npm test`, on whatever `node` is first on PATH: the project needs the Node that
// package.json's `engines` names (the maintained LTS lines, 22.18+ and 24), and an older one fails dozens
// of tests with errors that do not say why. This prints one line naming the Node found and the one
// needed, and stops, before any test runs. Plain CommonJS in old syntax, so that any Node can run it.
"use strict";

var fs = require("fs");
var path = require("path");

var engines = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).engines.node;
var needed = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(engines);
if (!needed) {
    process.stderr.write("iks-mesh: package.json engines.node must read >=MAJOR.MINOR.PATCH (got " + engines + ")\n");
    process.exit(2);
}
var want = needed.slice(1).map(Number);
var found = process.versions.node.split(".").map(Number);
var older = found[0] < want[0] || (found[0] === want[0] && (found[1] < want[1] || (found[1] === want[1] && found[2] < want[2])));
if (older) {
    process.stderr.write("iks-mesh: needs Node.js " + engines + " (22.18+ or 24); found Node " + process.version + " at " +
        process.execPath + ". Fix: put Node.js 24 first on PATH (nvm use, or see .ci/run)\n");
    process.exit(1);
}
