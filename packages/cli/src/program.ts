import { Command, Option } from 'commander';
import { backendCandidates } from '@ssseg/engine';
import { registerConfigCommands } from './commands/config';
import { registerPluginCommands } from './commands/plugins';
import { registerPluginNewCommand } from './commands/plugin-new';
import { registerTrainCommand } from './commands/train';
import { registerCompareCommands } from './commands/compare';
import { registerModelCommand } from './commands/model';
import { registerExportCommand } from './commands/export';
import { registerPredictCommand } from './commands/predict';
import { registerEvalCommand } from './commands/eval';
import { registerImportBackboneCommand } from './commands/import-backbone';
import { registerDataCommands } from './commands/data';
import { registerBenchCommand } from './commands/bench';
import { registerServeCommand } from './commands/serve';
import { registerReportCommand } from './commands/report';
import { registerContributedCommands } from './contributed-commands';

export function createProgram(): Command {
  const backends = ['auto', ...backendCandidates().map((c) => c.name)];
  const program = new Command('ssseg')
    .description('semi-supervised semantic segmentation, with IPixMatch as a plugin')
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .version((require('../package.json') as { version: string }).version, '-V, --version', 'print the ssseg version')
    .addOption(new Option('--backend <name>', 'tensor backend (auto takes the fastest present)').choices(backends).default('auto'))
    .option('--debug', 'print the stack trace of an error')
    .showHelpAfterError();
  registerConfigCommands(program);
  registerPluginCommands(program);
  registerPluginNewCommand(program);
  registerTrainCommand(program);
  registerCompareCommands(program);
  registerReportCommand(program);
  registerModelCommand(program);
  registerExportCommand(program);
  registerPredictCommand(program);
  registerEvalCommand(program);
  registerImportBackboneCommand(program);
  registerDataCommands(program);
  registerBenchCommand(program);
  registerServeCommand(program);
  registerContributedCommands(program);
  return program;
}
