// Prints one plain closing line, "tests: N passed, N failed, N skipped", after everything
// jest prints (on exit, since jest's own summary reporter runs after custom ones), and names
// every skipped test so that a run never skips silently.
class SummaryReporter {
    onRunComplete(_contexts, results) {
        const skipped = [];
        for (const file of results.testResults) {
            for (const t of file.testResults) {
                if (t.status === "pending" || t.status === "skipped" || t.status === "todo") skipped.push(t.fullName);
            }
        }
        const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
        const lines = skipped.map((name) => `skipped: ${name}`);
        lines.push(`tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped.length} skipped`);
        process.once("exit", () => process.stderr.write(lines.join("\n") + "\n"));
    }
}
module.exports = SummaryReporter;
