// onnxruntime-node builds its output tensors from typed arrays of Node's main realm and checks them
// with `instanceof` against the constructors of the realm it was loaded in; under jest that is the
// test's vm sandbox, so every session.run fails ("A float32 tensor's data must be type of function
// Float32Array()", microsoft/onnxruntime#16622). Giving the sandbox the main realm's typed arrays
// makes both sides agree (it also spares tfjs's typed-array work the cross-realm slow paths).
// Only tests need this: plain Node has one realm.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class MainRealmTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}

module.exports = MainRealmTypedArraysEnvironment;
