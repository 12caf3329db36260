/**
 * Name and path rules of the emulator. The URL is split into raw segments *before* any
 * percent-decoding, so `..%2F`, `%2e%2e` or `%5c` arrive here as one decoded segment and are
 * refused; nothing a client sends can name a location outside its drive folder.
 */

/** Why a name is refused, or undefined when it is acceptable. */
export function badNameReason(name: string): string | undefined {
  if (name.length === 0) return 'file name is empty';
  if (name.includes('/')) return 'file name must not contain "/"';
  if (name.includes('\\')) return 'file name must not contain "\\"';
  if (name.includes('..')) return 'file name must not contain ".."';
  if (name === '.') return 'file name must not be "."';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'file name must not contain control characters';
  return undefined;
}

/**
 * The desktop name rule of this emulator: **our decision**, the Nen docs give none (nen-api.md,
 * README "Desktop names"). A name is 1 to 64 characters once trimmed, with no control
 * characters; anything else is answered 400 with the reason. The extension does not copy this
 * rule: it shows the server's reason, so a real API with other rules is reported the same way.
 */
export const MAX_DESKTOP_NAME_CHARS = 64;

/** Why the emulator refuses a desktop name (PATCH or POST), or undefined when it takes it. */
export function badDesktopNameReason(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'name must be a string';
  const trimmed = name.trim();
  if (trimmed === '') return 'name must not be empty';
  if ([...trimmed].length > MAX_DESKTOP_NAME_CHARS) return `name must be at most ${MAX_DESKTOP_NAME_CHARS} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return 'name must not contain control characters';
  return undefined;
}

/** Desktop ids as the API issues them (dsk_abc123def456); anything else is simply unknown. */
export function isDesktopId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id);
}

/** Decode one raw URL segment; undefined when the percent-encoding is malformed. */
export function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The deepest `?path=` accepted (our decision, see docs/nen-api.md and src/api/names.ts). */
export const MAX_FOLDER_DEPTH = 32;

/**
 * Parse the `path` query value (a folder inside the drive, `a` or `a/b`) into checked segments.
 * Leading, trailing and doubled slashes are ignored; every segment obeys the name rules.
 */
export function parseFolderPath(value: string): { segments: string[] } | { error: string } {
  const segments = value.split('/').filter((s) => s.length > 0);
  if (segments.length > MAX_FOLDER_DEPTH) return { error: `bad path: folders nest at most ${MAX_FOLDER_DEPTH} deep` };
  for (const s of segments) {
    const reason = badNameReason(s);
    if (reason) return { error: `bad path: ${reason.replace('file name', 'folder name')}` };
  }
  return { segments };
}
