// Writes a suite's aggregated results to <dir>/<package>.json for scripts/run-tests.js.
const fs = require('fs');
const path = require('path');

class ResultsFileReporter {
  constructor(globalConfig, options) {
    this.dir = options.dir;
    this.name = path.basename(globalConfig.rootDir) + '-' + process.pid;
  }
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites } = results;
    fs.writeFileSync(path.join(this.dir, `${this.name}.json`),
      JSON.stringify({ numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites }));
  }
}
module.exports = ResultsFileReporter;
