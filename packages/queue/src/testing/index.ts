// `queueTesting` of the package's index: what tests in other packages use to run against a real redis-server
export * from './redis-server';
export * from './redis-suite';
