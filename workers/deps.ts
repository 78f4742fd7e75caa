import type { InboxService } from '../server/domain/inbox.service';
import type { Logger } from '../server/util/log';

/** What workers may call: domain services only (never Prisma directly). */
export interface WorkerDeps {
  inbox: InboxService;
  log: Logger;
}
