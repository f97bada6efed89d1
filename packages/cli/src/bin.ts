#!/usr/bin/env node
import 'reflect-metadata';
import { main } from './main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ssseg: ${err?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
