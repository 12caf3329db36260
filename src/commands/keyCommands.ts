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
          title: vscode.l10n.t('Nen Drive: Set API Key'),
          prompt: vscode.l10n.t("Your Nen API key. It is stored in VS Code's secret storage, never in settings."),
          placeHolder: 'sk_nen_…', // l10n-ignore: the shape of a Nen key
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('The key cannot be empty.')),
        });
        if (value === undefined) return false;
      }
      await services.keys.set(value);
      services.log.info('API key stored in secret storage.');
      if (typeof key !== 'string') void vscode.window.showInformationMessage(vscode.l10n.t("Nen Drive: API key stored in VS Code's secret storage."));
      return true;
    },
    [Commands.clearApiKey]: async () => {
      await services.keys.clear();
      services.log.info('API key removed from secret storage.');
      const source = await services.keys.source();
      void vscode.window.showInformationMessage(
        source === 'environment'
          ? vscode.l10n.t('Nen Drive: stored API key removed. The {0} environment variable is still used.', ENV_KEY_NAME)
          : vscode.l10n.t('Nen Drive: API key removed.'),
      );
      return true;
    },
  };
}
