/** The last lines of a server's stderr and Tandem's notes about it (`mcp.logs`). */
export class LogRing {
  private lines: string[] = [];
  private lastStderr: string | null = null;

  constructor(private readonly capacity: number) {}

  /** Adds a line; `stderr` marks what the server itself wrote there. */
  push(line: string, stderr = false): void {
    if (stderr && line.trim()) this.lastStderr = line.trim().slice(0, 500);
    this.lines.push(line.length > 4000 ? `${line.slice(0, 4000)}…` : line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  all(): string[] {
    return [...this.lines];
  }

  /** The last line the server wrote to stderr since `resetLastStderr()`. */
  lastServerLine(): string | null {
    return this.lastStderr;
  }

  resetLastStderr(): void {
    this.lastStderr = null;
  }
}
