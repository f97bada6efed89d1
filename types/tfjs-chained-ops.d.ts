// Brings tfjs-core's chained-op declarations (x.sum(), x.reshape(...)) into every package's
// type-check; @ssseg/engine registers them at run time.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
