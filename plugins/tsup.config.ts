import { packageBuild } from '../tsup.preset';

// Every plugin's build: tsup looks for its config from the package folder upwards and finds this
// one (the compiler options come the same way, from plugins/tsconfig.json).
export default packageBuild();
