// The contract lives in core (test fixtures implement it too); the CLI re-exports it.
export type { RunLoader, RunLoaderFactory } from '@ssseg/core';
