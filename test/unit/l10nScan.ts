/**
 * Finds English prose in src/ that does not go through l10n: every string literal or template
 * that reads as words a person sees, unless it is an argument of `l10n.t` / `vscode.l10n.t`, a
 * log line, an import, a property key, a comparison or a `case` label, or its line (or the line
 * above) says `l10n-ignore: <why>`. The heuristic errs towards flagging: a false alarm costs a
 * marker with a reason, a miss costs a user an English message in a German window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface Unwrapped {
  file: string;
  line: number;
  text: string;
}

/** Words a person reads: a capitalised word, or two words with a space between. */
export function readsAsProse(text: string): boolean {
  const plain = text.replace(/\$\{[^}]*\}/g, ' ').trim();
  if (!/[A-Za-z]/.test(plain)) return false;
  // Identifiers, paths, URLs, MIME types, setting and command ids, header names, codicons.
  if (/^[\w.$/:@*?#=&%+-]+$/.test(plain) && !/^[A-Z][a-z]+$/.test(plain)) return false;
  if (/^\$\([\w-]+\)$/.test(plain)) return false;
  return /[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(plain) || /^[A-Z][a-z]{2,}/.test(plain) || /\b[A-Z][a-z]{2,}\b/.test(plain);
}

const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'appendLine', 'log']);

function calleeName(call: ts.CallExpression): string {
  return call.expression.getText();
}

function isL10nCall(call: ts.CallExpression): boolean {
  return /(^|\.)l10n\.t$/.test(calleeName(call));
}

function isLogCall(call: ts.CallExpression): boolean {
  const expr = call.expression;
  if (!ts.isPropertyAccessExpression(expr)) return false;
  const target = expr.expression.getText();
  return LOG_METHODS.has(expr.name.text) && /(^|\.)(log|logger|console|channel)$/i.test(target);
}

/** True when the literal sits where no person reads it, or inside l10n.t. */
function exempt(node: ts.Node): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (ts.isCallExpression(parent)) {
      if (isL10nCall(parent) || isLogCall(parent)) return true;
      // `new Error(...)` and friends are not exempt: their message reaches notifications.
    }
    if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return true;
    if (ts.isLiteralTypeNode(parent) || ts.isTypeNode(parent)) return true;
    if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === child) return true;
    if (ts.isElementAccessExpression(parent) && parent.argumentExpression === child) return true;
    if (ts.isCaseClause(parent) && parent.expression === child) return true;
    if (ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(parent.operatorToken.kind)) return true;
    // Stop climbing at statements: a literal's context is its own expression.
    if (ts.isStatement(parent) || ts.isSourceFile(parent)) break;
  }
  return false;
}

function ignoredLines(text: string): Set<number> {
  const lines = new Set<number>();
  text.split('\n').forEach((line, i) => {
    if (/l10n-ignore:\s*\S/.test(line)) {
      lines.add(i + 1);
      if (/^\s*\/\//.test(line)) lines.add(i + 2);
    }
  });
  return lines;
}

export function scanSource(file: string, text: string): Unwrapped[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const ignored = ignoredLines(text);
  const found: Unwrapped[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const literal = ts.isTemplateExpression(node) ? node.getText().slice(1, -1) : node.text;
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      if (readsAsProse(literal) && !exempt(node) && !ignored.has(line)) found.push({ file, line, text: literal });
      if (ts.isTemplateExpression(node)) node.templateSpans.forEach((span) => visit(span.expression));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function scanTree(root: string): Unwrapped[] {
  const out: Unwrapped[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(...scanSource(full, fs.readFileSync(full, 'utf8')));
    }
  };
  walk(root);
  return out;
}

// `node out/test/unit/l10nScan.js src/commands src/views/rows.ts`: lists what is left in those files or folders.
if (require.main === module) {
  const targets = process.argv.slice(2);
  const found = (targets.length ? targets : ['src']).flatMap((t) =>
    fs.statSync(t).isDirectory() ? scanTree(t) : scanSource(t, fs.readFileSync(t, 'utf8')),
  );
  for (const u of found) console.log(`${u.file}:${u.line}  ${JSON.stringify(u.text)}`);
  console.log(`${found.length} unwrapped`);
  process.exitCode = found.length ? 1 : 0;
}
