#!/usr/bin/env node
// The rekey command runs the compiled CLI in dist/ (built by `npm ci` through the prepare
// script, or by `npm run build`).
let cli;
try {
    cli = require("../dist/cli/main.js");
} catch (e) {
    if (e.code !== "MODULE_NOT_FOUND") throw e;
    process.stderr.write("rekey: not built yet: run npm run build (npm ci builds it too)\n");
    process.exit(2);
}
cli.main();
