import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../src/constants';
import type { LogLine } from '../../src/log/Logger';
import { getApi } from './helpers';

suite('Commands', () => {
  test('every nenDrive command is in the manifest with a category and a title', async () => {
    await getApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: { command: string; title?: string; category?: string }[] } };
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('nenDrive.') && !id.startsWith('nenDrive.desktops.'));
    assert.deepEqual([...registered].sort(), [...Object.values(Commands)].sort(), 'registered commands are the ones in constants.ts');
    for (const id of registered) {
      const c = contributed.get(id);
      assert.ok(c?.title && c.category, `${id} has a title and a category in package.json`);
    }
  });

  test('a failed command is reported under its title as the palette shows it', async () => {
    const { services } = await getApi();
    const lines: LogLine[] = [];
    const sub = services.log.onDidLog((l) => lines.push(l));
    try {
      // An id that cannot be a desktop's: the command throws, and the failure is shown and logged.
      assert.equal(await vscode.commands.executeCommand(Commands.addDesktop, '!'), undefined);
    } finally {
      sub.dispose();
    }
    assert.ok(lines.some((l) => l.level === 'error' && l.text.includes('Nen Drive: Add Desktop… failed')), lines.map((l) => l.text).join('\n'));
  });
});
