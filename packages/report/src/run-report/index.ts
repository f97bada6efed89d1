export * from './read-single-run';
export * from './run-curves-spec';
export * from './run-report-document';
export * from './write-run-report';
