// Loaded with NODE_OPTIONS=--require: the file system answers ENOSPC (no space left on device)
// to every write of a file whose name starts with SSSEG_TEST_ENOSPC_FILE, once
// SSSEG_TEST_ENOSPC_AFTER such files have been written whole: a disk that fills up mid-run,
// without filling a real one.
const fs = require('fs');
const path = require('path');

const prefix = process.env.SSSEG_TEST_ENOSPC_FILE;
let allowed = Number(process.env.SSSEG_TEST_ENOSPC_AFTER || 0);
const failing = new Set();
const { openSync, writeSync, closeSync } = fs;

fs.openSync = function (file, ...rest) {
  const fd = openSync.call(this, file, ...rest);
  if (prefix && typeof file === 'string' && path.basename(file).startsWith(prefix) && allowed-- <= 0) failing.add(fd);
  return fd;
};
fs.writeSync = function (fd, ...rest) {
  if (failing.has(fd)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  return writeSync.call(this, fd, ...rest);
};
fs.closeSync = function (fd) {
  failing.delete(fd);
  return closeSync.call(this, fd);
};
