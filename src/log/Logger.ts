import * as vscode from 'vscode';
import { redact as redactSecrets } from '../api/redact';
import type { RequestLogEntry } from '../api/types';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: LogLevel;
  /** The line exactly as written to the channel (already redacted). */
  text: string;
}

/**
 * The "Nen Drive" log channel. Every line passes through {@link redact} first, so neither the
 * current key nor anything shaped like a key or a bearer credential can reach the output.
 */
export class Logger implements vscode.Disposable {
  private readonly lineEmitter = new vscode.EventEmitter<LogLine>();
  /** Every line written, after redaction (tests capture it to prove the key never leaks). */
  readonly onDidLog: vscode.Event<LogLine> = this.lineEmitter.event;

  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly secretValues: () => (string | undefined)[],
  ) {}

  debug(msg: string): void {
    this.write('debug', msg);
  }

  info(msg: string, err?: unknown): void {
    this.write('info', msg, err);
  }

  warn(msg: string, err?: unknown): void {
    this.write('warn', msg, err);
  }

  error(msg: string, err?: unknown): void {
    this.write('error', msg, err);
  }

  /** One line per HTTP attempt: method, path, status, duration, bytes. */
  request(e: RequestLogEntry): void {
    // l10n-ignore: a log line (the log stays English)
    const parts = [`${e.method} ${e.path}`, e.status !== undefined ? String(e.status) : 'no response', `${Math.round(e.durationMs)} ms`];
    if (e.bytesSent) parts.push(`sent ${e.bytesSent} B`);
    if (e.bytesReceived) parts.push(`received ${e.bytesReceived} B`);
    if (e.attempt > 1) parts.push(`attempt ${e.attempt}`);
    if (e.error) parts.push(e.error);
    const failed = e.error !== undefined || (e.status !== undefined && e.status >= 400);
    this.write(failed ? 'warn' : 'info', parts.join(' · '));
  }

  show(): void {
    this.channel.show(true);
  }

  /**
   * The one redaction (src/api/redact.ts) with the current secrets: known keys, `sk_nen_…`
   * tokens and `Bearer …` credentials become `***`. Bound, so it can be handed around as a plain
   * function (`describeError(err, log.redact)`).
   */
  readonly redact = (text: string): string => redactSecrets(text, this.secretValues());

  dispose(): void {
    this.lineEmitter.dispose();
  }

  private write(level: LogLevel, msg: string, err?: unknown): void {
    const detail = err === undefined ? '' : `: ${errorText(err)}`;
    const text = this.redact(msg + detail);
    this.channel[level](text);
    this.lineEmitter.fire({ level, text });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const kind = (err as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `${err.message} [${kind}]` : err.message;
  }
  return String(err);
}
