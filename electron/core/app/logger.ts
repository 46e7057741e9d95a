/** A small structured logger; serve mode writes to stderr so stdout stays for the one "serving at" line. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const at = (wanted: LogLevel, message: string) => {
    if (ORDER[wanted] < ORDER[level]) return;
    write(`[tandem] ${new Date().toISOString()} ${wanted.toUpperCase()} ${message}`);
  };
  return {
    debug: (message) => at('debug', message),
    info: (message) => at('info', message),
    warn: (message) => at('warn', message),
    error: (message, error) => at('error', error instanceof Error ? `${message}: ${error.message}` : message),
  };
}
