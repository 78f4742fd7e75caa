/** Document content: downloaded only by who may read the document's metadata, and audit-logged. */
import type { RecordRepository } from '../data/record.repository';
import { auditRow } from './audit.service';
import { notFound } from './errors';
import { Actor, assertCan } from './policy';
import type { RecordsService } from './records.service';

export class DocumentService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
  ) {}

  async content(a: Actor, id: string, requestId?: string): Promise<{ fileName: string; mimeType: string; content: Buffer }> {
    assertCan(a, 'documents', 'read');
    const meta = await this.records.find(a, 'documents', id);
    const row = await this.repo.findFirst('document', { id }, { content: true, fileName: true, mimeType: true });
    if (!row?.content) throw notFound('Der Inhalt des Dokuments');
    await this.repo.writeAudit([auditRow(a, { action: 'documents.download', entity: 'Document', entityId: id, caseId: String(meta.caseId), requestId })]);
    return { fileName: String(row.fileName), mimeType: String(row.mimeType), content: Buffer.from(row.content as Uint8Array) };
  }
}
