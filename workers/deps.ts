import type { EinbuergerungProcessService } from '../server/naturalisation/einbuergerung-process.service';
import type { CaseProcessService } from '../server/cases/case-process.service';
import type { ConferenceService } from '../server/conferences/conference.service';
import type { InboxService } from '../server/inbox/inbox.service';
import type { IntakeService } from '../server/cases/intake.service';
import type { ReferralService } from '../server/referrals/referral.service';
import type { ResidenceService } from '../server/residence/residence.service';
import type { SteeringService } from '../server/steering/steering.service';
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
  /** kim-fallkonferenz workers (optional like the others). */
  conferences?: ConferenceService;
  /** kim-einbuergerung workers (optional like the others). */
  einbuergerung?: EinbuergerungProcessService;
  /** kim-bleiberecht workers (optional like the others). */
  residence?: ResidenceService;
  /** kim-steuerung workers (optional like the others). */
  steering?: SteeringService;
}
