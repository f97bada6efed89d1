import * as path from 'path';
import YAML from 'yaml';
import { ConfigError } from '../errors';
import { MAX_CONFIG_ALIAS_COUNT, readConfigText } from './read-limited';

/**
 * Parses a JSON or YAML config file; syntax errors name the file, line and column. Files over
 * MAX_CONFIG_BYTES and YAML whose aliases expand too much are refused before they cost memory.
 */
export function readConfigFile(file: string): unknown {
  const text = readConfigText(file);
  if (path.extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`invalid JSON: ${(err as Error).message}`, file);
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const where = e.linePos ? `${file}:${e.linePos[0].line}:${e.linePos[0].col}` : file;
    throw new ConfigError(`invalid YAML: ${e.message.split('\n')[0]}`, where);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_CONFIG_ALIAS_COUNT });
  } catch (err) {
    // the yaml package refuses aliases that expand a small file into a huge tree ("billion laughs")
    throw new ConfigError(`invalid YAML: ${(err as Error).message}`, file);
  }
}
