import type { EinbuergerungProcessService } from '../server/domain/einbuergerung-process.service';
import type { CaseProcessService } from '../server/domain/case-process.service';
import type { ConferenceService } from '../server/domain/conference.service';
import type { InboxService } from '../server/domain/inbox.service';
import type { IntakeService } from '../server/domain/intake.service';
import type { ReferralService } from '../server/domain/referral.service';
import type { Logger } from '../server/util/log';

/** What workers may call: domain services only (never Prisma directly). */
export interface WorkerDeps {
  inbox: InboxService;
  log: Logger;
  /** kim-intake workers (optional so other stacks and unit tests can leave it out). */
  intake?: IntakeService;
  /** kim-case workers and the closing steps kim-intake shares. */
  caseProcess?: CaseProcessService;
  /** kim-referral workers (optional so other stacks and unit tests can leave it out). */
  referrals?: ReferralService;
  /** kim-fallkonferenz workers (issue 5; optional like the others). */
  conferences?: ConferenceService;
  /** kim-einbuergerung workers (issue 5; optional like the others). */
  einbuergerung?: EinbuergerungProcessService;
}
