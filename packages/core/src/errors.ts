/** An error about user input: a config path, a file, a line. The CLI prints its message alone. */
export class SssegError extends Error {
  constructor(message: string, readonly where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'SssegError';
  }
}

export class ConfigError extends SssegError {
  constructor(message: string, path?: string) {
    super(message, path);
    this.name = 'ConfigError';
  }
}

export class PluginError extends SssegError {
  constructor(message: string, readonly plugin?: string) {
    super(message);
    this.name = 'PluginError';
  }
}
