import * as vscode from 'vscode';
import { Commands, ENV_KEY_NAME } from '../constants';
import type { Services } from '../services';

/** Set API Key… and Clear API Key: the key lives in SecretStorage, never in settings. */
export function keyCommands(services: Services): Record<string, (...args: unknown[]) => unknown> {
  return {
    /** `setApiKey(key?: string)`: a script passes the key; otherwise a password input box asks. */
    [Commands.setApiKey]: async (key?: unknown) => {
      let value = typeof key === 'string' ? key : undefined;
      if (value === undefined) {
        value = await vscode.window.showInputBox({
          title: 'Nen Drive: Set API Key',
          prompt: 'Your Nen API key. It is stored in VS Code\'s secret storage, never in settings.',
          placeHolder: 'sk_nen_…',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : 'The key cannot be empty.'),
        });
        if (value === undefined) return false;
      }
      await services.keys.set(value);
      services.log.info('API key stored in secret storage.');
      if (typeof key !== 'string') void vscode.window.showInformationMessage('Nen Drive: API key stored in VS Code\'s secret storage.');
      return true;
    },
    [Commands.clearApiKey]: async () => {
      await services.keys.clear();
      services.log.info('API key removed from secret storage.');
      const source = await services.keys.source();
      void vscode.window.showInformationMessage(
        source === 'environment'
          ? `Nen Drive: stored API key removed. The ${ENV_KEY_NAME} environment variable is still used.`
          : 'Nen Drive: API key removed.',
      );
      return true;
    },
  };
}
