import * as vscode from 'vscode';
import { ContextKeys, ENV_KEY_NAME, SECRET_KEY_NAME } from '../constants';

export type KeySource = 'secretStorage' | 'environment' | 'none';

/**
 * The API key lives in SecretStorage only. When none is stored, `NEN_API_KEY` from the
 * environment (the Nen docs' own convention) is used. The resolved key is cached in memory and
 * dropped whenever SecretStorage reports a change, so a key set or cleared in another window
 * applies live without a SecretStorage round trip per request.
 */
export class ApiKeyStore implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires after the stored key changed (here or in another window). */
  readonly onDidChange: vscode.Event<void> = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private cached: Promise<string | undefined> | undefined;
  /** The last key value seen, for log redaction (synchronous access). */
  private lastKnown: string | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.lastKnown = this.envKey();
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== SECRET_KEY_NAME) return;
      this.cached = undefined;
      void this.refreshContext();
      this.changeEmitter.fire();
    });
  }

  /** The key to send: SecretStorage first, else the environment. */
  get(): Promise<string | undefined> {
    if (!this.cached) {
      const loading: Promise<string | undefined> = Promise.resolve(this.secrets.get(SECRET_KEY_NAME)).then(
        (stored) => {
          const key = stored || this.envKey();
          if (key) this.lastKnown = key;
          return key;
        },
        () => this.envKey(),
      );
      this.cached = loading;
      // A failed read must not stick: the next call asks again.
      loading.then((k) => {
        if (k === undefined && this.cached === loading) this.cached = undefined;
      });
    }
    return this.cached!;
  }

  async source(): Promise<KeySource> {
    const stored = await Promise.resolve(this.secrets.get(SECRET_KEY_NAME)).catch(() => undefined);
    if (stored) return 'secretStorage';
    return this.envKey() ? 'environment' : 'none';
  }

  async set(key: string): Promise<void> {
    const trimmed = key.trim();
    if (!trimmed) throw new Error(vscode.l10n.t('The API key cannot be empty.'));
    this.lastKnown = trimmed;
    this.cached = Promise.resolve(trimmed);
    await this.secrets.store(SECRET_KEY_NAME, trimmed);
    await this.refreshContext();
  }

  async clear(): Promise<void> {
    this.cached = undefined;
    await this.secrets.delete(SECRET_KEY_NAME);
    await this.refreshContext();
  }

  /**
   * Secret values to redact from logs, synchronously: the last key seen and the environment's.
   * Kept even after a clear, so an old key that shows up in a late error is still hidden.
   */
  secretValues(): (string | undefined)[] {
    return [this.lastKnown, this.envKey()];
  }

  /** Sets the `nenDrive.keySource` context key for the welcome views. */
  async refreshContext(): Promise<KeySource> {
    const source = await this.source();
    await vscode.commands.executeCommand('setContext', ContextKeys.keySource, source);
    return source;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  private envKey(): string | undefined {
    const v = this.env[ENV_KEY_NAME]?.trim();
    return v ? v : undefined;
  }
}
