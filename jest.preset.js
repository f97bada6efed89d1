// Shared jest setup: every workspace maps @ssseg/* imports to the sources, so tests need no build.
const path = require('path');
const root = __dirname;

module.exports = {
  testEnvironment: path.join(root, 'jest.environment.js'),
  // tfjs keeps its engine on the global object; jest 30's cleanup of globals between files breaks it
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.jest.json') }],
  },
  moduleNameMapper: {
    '^@ssseg/plugin-(.*)$': path.join(root, 'plugins/$1/src/index.ts'),
    '^@ssseg/(core|engine|losses|models|datasets|cli|report|queue|serve|runner)$': path.join(root, 'packages/$1/src/index.ts'),
    '^@ssseg/core/testing$': path.join(root, 'packages/core/src/testing/fixtures.ts'),
    '^ssseg-plugin-(.*)$': path.join(root, 'plugins/$1/src/index.ts'),
  },
  setupFiles: [path.join(root, 'jest.setup.js')],
  testTimeout: 120000,
};

// scripts/run-tests.js sets SSSEG_TEST_RESULTS to collect every suite's results for one summary.
if (process.env.SSSEG_TEST_RESULTS) {
  module.exports.reporters = ['default', [path.join(root, 'scripts/jest-results-reporter.js'), { dir: process.env.SSSEG_TEST_RESULTS }]];
}
