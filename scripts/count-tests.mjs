// Sums the vitest JSON reports written by every package's `test` script and prints
// the single closing line CI reads: `N passed, N failed`. Exits 1 when a test failed,
// a suite failed to load, or no test ran at all.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "generators", "examples", "test", "bench"];
const reports = [];
for (const root of roots) {
  let entries = [];
  try {
    entries = readdirSync(root);
  } catch {
    continue;
  }
  const dirs = root === "test" || root === "bench" ? ["."] : entries;
  for (const dir of dirs) {
    const file = join(root, dir, ".vitest-report.json");
    try {
      if (statSync(file).isFile()) reports.push(file);
    } catch {}
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
let failedSuites = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  failedSuites += (report.testResults ?? []).filter(
    (s) => s.status === "failed" && (s.assertionResults ?? []).length === 0,
  ).length;
}
if (failedSuites > 0) {
  console.error(`${failedSuites} test file(s) failed to load; counted as failures`);
  failed += failedSuites;
}
console.error(`read ${reports.length} vitest report(s)`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
