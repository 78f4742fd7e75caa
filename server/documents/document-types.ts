/**
 * The kinds of documents a case file holds, with their German names, and the file checks of an
 * upload. Pure data and functions: the web app imports the same list (one German label per kind).
 * The naturalisation checklist's kinds (kim-einbuergerung DOCUMENT_KINDS) are kinds here too, so
 * that an authority's step can be given exactly the documents of its checklist.
 */
import { DOCUMENT_KIND_DE } from '../../processes/kim-einbuergerung/contract';

export const DOCUMENT_TYPES = {
  einwilligung: 'Einwilligungserklärung',
  ...DOCUMENT_KIND_DE,
  bescheid: 'Bescheid einer Behörde',
  schriftverkehr: 'Schriftverkehr',
  sonstiges: 'Sonstiges',
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;
export const DOCUMENT_TYPE_CODES = Object.keys(DOCUMENT_TYPES) as DocumentType[];

/** German name of a kind; rows from before the list carry a free German text, shown as it is. */
export function documentTypeDe(kind: unknown): string {
  const k = String(kind ?? '');
  return (DOCUMENT_TYPES as Record<string, string>)[k] ?? (k || '—');
}

/** A scanned, signed consent form easily has several MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const MAX_DOCUMENT_MB = MAX_DOCUMENT_BYTES / (1024 * 1024);

export const DOCUMENT_MIME_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentMimeType = (typeof DOCUMENT_MIME_TYPES)[number];

/**
 * The real type of a file from its first bytes (the name and the browser's type can be anything):
 * PDF "%PDF-", JPEG FF D8 FF, PNG 89 50 4E 47 0D 0A 1A 0A; anything else is null.
 */
export function sniffDocumentType(head: Uint8Array): DocumentMimeType | null {
  const starts = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  return null;
}
