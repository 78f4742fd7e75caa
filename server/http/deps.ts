/** What the HTTP layer is built from: the composition root (server/stack.ts) hands these to createApp. */
import type { WorkerStatus } from '../../workers/runtime';
import type { Config } from '../config';
import type { Db } from '../db/prisma';
import type { AuditService } from '../audit/audit.service';
import type { AuthService } from '../auth/auth.service';
import type { ConferenceService } from '../conferences/conference.service';
import type { InboxService } from '../inbox/inbox.service';
import type { IntakeService } from '../cases/intake.service';
import type { MailService } from '../mail/mail.service';
import type { ReferralService } from '../referrals/referral.service';
import type { TaskEvents } from '../inbox/task-events';
import type { Engine } from '../engine/port';
import type { Logger } from '../util/log';
import type { HttpServices } from '../services';

export interface AppDeps {
  config: Config;
  db: Db;
  /** The engine port (Operaton REST). */
  engine: Engine;
  log: Logger;
  auth: AuthService;
  audit: AuditService;
  inbox: InboxService;
  workerStatus: () => WorkerStatus[];
  /** kim-referral: partner page and process start (optional). */
  referrals?: ReferralService;
  /** kim-fallkonferenz: process start and partner pages (optional). */
  conferences?: ConferenceService;
  /** kim-intake: POST /api/cases starts it (optional; without it the route answers 503). */
  intake?: IntakeService;
  /** Directory of the built web app; served when it exists. */
  uiDir?: string;
  /** Live inbox: GET /api/tasks/events (optional; without it the route answers 503). */
  taskEvents?: TaskEvents;
  /** Everything else the routes serve, built by the composition root (server/services.ts). */
  services: HttpServices;
  /** Mail outbox: Postausgang for administrators, mail state of a case (optional). */
  mail?: MailService;
}
