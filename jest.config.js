/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type checking is done once, by the build (`tsc -p tsconfig.json`, tests included) that
  // `npm test` runs before jest; ts-jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/test/harness/summaryReporter.js"],
};
