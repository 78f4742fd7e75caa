/**
 * Documents of a case: upload as a raw binary request body (no base64 in JSON, read chunk by chunk
 * with a hard size limit), the real file type checked by its first bytes, title and kind from the
 * German list; download only by who may read the document's metadata; deletion with a reason.
 * Every step is audit-logged (the reason of a deletion too; never the title or content).
 */
import type { Readable } from 'node:stream';
import type { RecordRepository } from '../cases/record.repository';
import { auditRow } from '../audit/audit.service';
import { badRequest, DomainError, notFound } from '../errors';
import { Actor, assertCan } from '../auth/policy';
import { RecordsService, Row, toJson } from '../cases/records.service';
import { DOCUMENT_TYPE_CODES, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_MB, sniffDocumentType } from './document-types';

export interface UploadMeta {
  title?: unknown;
  kind?: unknown;
  fileName?: unknown;
  /** The Content-Type the browser declared (checked against the real type). */
  contentType?: unknown;
  contentLength?: unknown;
}

const tooLarge = () => new DomainError(413, `Die Datei ist zu groß (höchstens ${MAX_DOCUMENT_MB} MB).`, 'too_large');
const wrongType = () =>
  new DomainError(415, 'Die Datei ist kein PDF-, JPEG- oder PNG-Dokument (geprüft wird der Inhalt, nicht die Endung). Bitte laden Sie eine PDF-Datei oder ein Bild hoch.', 'unsupported_media_type');

/** Reads a request body up to `max` bytes; more ends the read with 413 (the rest is not buffered). */
export async function readLimited(stream: Readable, max: number, declaredLength?: unknown): Promise<Buffer> {
  const declared = Number(declaredLength);
  if (Number.isFinite(declared) && declared > max) {
    stream.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > max) {
      stream.resume();
      throw tooLarge();
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}

/** Checks title, kind and file name of an upload; German field messages. */
function meta(m: UploadMeta): { title: string; kind: string; fileName: string } {
  const errors: Record<string, string> = {};
  const title = typeof m.title === 'string' ? m.title.trim() : '';
  const kind = typeof m.kind === 'string' ? m.kind : '';
  const fileName = typeof m.fileName === 'string' ? m.fileName.trim() : '';
  if (!title) errors.title = 'Bitte einen Titel angeben.';
  else if (title.length > 200) errors.title = 'Höchstens 200 Zeichen.';
  if (!(DOCUMENT_TYPE_CODES as string[]).includes(kind)) errors.kind = `Bitte eine Dokumentart wählen: ${Object.values(DOCUMENT_TYPES).join(', ')}.`;
  if (!fileName) errors.fileName = 'Der Dateiname fehlt.';
  else if (fileName.length > 200) errors.fileName = 'Höchstens 200 Zeichen.';
  if (Object.keys(errors).length) throw badRequest('Bitte die Angaben zum Dokument vervollständigen.', errors);
  return { title, kind, fileName };
}

/** The real type of the content; a declared type that differs (a renamed file) is refused too. */
export function checkContent(content: Buffer, declared: unknown): string {
  if (content.length === 0) throw badRequest('Die Datei ist leer.', { file: 'leer' });
  const real = sniffDocumentType(content.subarray(0, 16));
  if (!real) throw wrongType();
  const d = typeof declared === 'string' ? declared.split(';')[0].trim().toLowerCase() : '';
  if (d && d !== 'application/octet-stream' && d !== real) throw wrongType();
  return real;
}

export class DocumentService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
  ) {}

  async content(a: Actor, id: string, requestId?: string): Promise<{ fileName: string; mimeType: string; content: Buffer }> {
    assertCan(a, 'documents', 'read');
    const found = await this.records.find(a, 'documents', id, false, 'read').catch((e) => {
      // ABH/EBH: a document of their case that their step does not need is refused, not hidden.
      if (e instanceof DomainError && e.status === 404 && (a.role === 'abh' || a.role === 'ebh')) return null;
      throw e;
    });
    if (!found) throw new DomainError(403, 'Dieses Dokument braucht Ihr Arbeitsschritt nicht; es ist für Sie nicht freigegeben.', 'forbidden');
    const row = await this.repo.findFirst('document', { id }, { content: true, fileName: true, mimeType: true });
    if (!row?.content) throw notFound('Der Inhalt des Dokuments');
    await this.repo.writeAudit([auditRow(a, { action: 'documents.download', entity: 'Document', entityId: id, caseId: String(found.caseId), requestId })]);
    return { fileName: String(row.fileName), mimeType: String(row.mimeType), content: Buffer.from(row.content as Uint8Array) };
  }

  /** POST /cases/:id/documents: the body is the file itself; title, kind and name as query parameters. */
  async upload(a: Actor, caseId: string, m: UploadMeta, body: Readable, requestId?: string): Promise<Row> {
    assertCan(a, 'documents', 'create');
    const { title, kind, fileName } = meta(m);
    // The case is named by the path here, not by a field: one the caller does not reach is not found.
    await this.records.writableCase(a, caseId).catch((e: unknown) => {
      throw e instanceof DomainError && e.status === 400 ? notFound('Der Fall') : e;
    });
    const content = await readLimited(body, MAX_DOCUMENT_BYTES, m.contentLength);
    const mimeType = checkContent(content, m.contentType);
    const fields = this.records.spec('documents').fields;
    const select = Object.fromEntries(fields.map((f) => [f, true]));
    const row = await this.repo.transaction(async (_tx, r) => {
      const created = await r.create('document', { caseId, title, kind, fileName, mimeType, content, size: content.length, uploadedById: a.id }, select);
      return { result: created, audit: [auditRow(a, { action: 'documents.create', entity: 'Document', entityId: String(created.id), caseId, fields: ['title', 'kind', 'content'], requestId })] };
    });
    return toJson(row);
  }

  /** DELETE /documents/:id with a reason: the row and its content go; the audit entry keeps the reason. */
  async remove(a: Actor, id: string, input: { reason: string }, requestId?: string): Promise<Row> {
    assertCan(a, 'documents', 'delete');
    const existing = await this.records.find(a, 'documents', id, false, 'delete');
    const caseId = String(existing.caseId);
    await this.records.writableCase(a, caseId);
    await this.repo.transaction(async (_tx, r) => {
      await r.delete('document', id);
      return { result: null, audit: [auditRow(a, { action: 'documents.delete', entity: 'Document', entityId: id, caseId, fields: [String(existing.kind)], reason: input.reason, requestId })] };
    });
    return toJson(existing);
  }
}
